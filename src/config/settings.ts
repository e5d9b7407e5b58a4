/**
 * Every environment variable the service reads, with its default and meaning: the one list.
 * `loadConfig` reads variables only by these names (the type `SettingName` makes any other
 * name a compile error), and `docs/configuration.md` is generated from this list
 * (`npm run docs:config`); `test/architecture/config-reference.test.ts` fails when the page is
 * not what the list generates, or when a name here is read nowhere.
 */
export interface Setting {
  name: string;
  /** As a person would write it; "unset" when there is none. */
  default: string;
  meaning: string;
}

export interface SettingGroup {
  title: string;
  settings: readonly Setting[];
}

export const SETTING_GROUPS = [
  {
    title: "Service",
    settings: [
      { name: "PORT", default: "3000", meaning: "HTTP port of the API, the dashboard and /openapi.json (0: any free port)." },
      { name: "HOST", default: "127.0.0.1", meaning: "Address to listen on; `0.0.0.0` behind a proxy on another machine." },
      { name: "PREPAID_DATA_DIR", default: "./data", meaning: "The embedded PGlite database's directory (and the generated server secret's) when `DATABASE_URL` is unset." },
      { name: "DATABASE_URL", default: "unset", meaning: "PostgreSQL to use instead of PGlite, e.g. `postgres://prepaid_app:…@db/prepaid` (a role with only the service's grants: docs/production.md)." },
      { name: "PREPAID_ADMIN_KEY", default: "generated", meaning: "The operator key. Unset, the first start generates one, prints it once and keeps only its hash." },
      { name: "PREPAID_SECRET", default: "generated", meaning: "Server secret (≥ 32 characters) for key and session hashes and sealed answers; every process of a deployment shares it. Unset, one is generated and kept in the data directory." },
      { name: "PREPAID_PUBLIC_URL", default: "unset", meaning: "The origin session links point to (`https://billing.example.com`); unset, the origin each request came to." },
      { name: "PREPAID_EMBED_ORIGINS", default: "unset", meaning: "Comma-separated origins allowed to frame the dashboard (its CSP `frame-ancestors`) and to exchange messages with it. Anything but `scheme://host[:port]` stops the start." },
      { name: "PREPAID_IN_PROCESS_WORKER", default: "true", meaning: "`false`: `serve` runs no workers; run `prepaid worker` processes beside it." },
      { name: "PREPAID_DEMO", default: "true (PGlite only)", meaning: "`false`: no demo accounts at `serve` on the embedded database (never made on PostgreSQL)." },
      { name: "PREPAID_OPERATOR_NAME", default: "prepaid", meaning: "Who issues the receipts (their header); receipt numbers run per operator name." },
      { name: "LOG_LEVEL", default: "info", meaning: "`debug`, `info`, `warn` or `error`: one JSON line per request and per money event at `info`." },
    ],
  },
  {
    title: "Payments",
    settings: [
      { name: "PREPAID_PAYMENTS", default: "sandbox", meaning: "`sandbox` (the built-in test gateway) or `stripe`." },
      { name: "STRIPE_SECRET_KEY", default: "unset", meaning: "Required with `stripe`: the API's secret key." },
      { name: "STRIPE_PUBLISHABLE_KEY", default: "unset", meaning: "Given to the dashboard for Stripe.js." },
      { name: "STRIPE_WEBHOOK_SECRET", default: "unset", meaning: "Signs the events Stripe posts to `/v1/webhooks/stripe`; without it those are refused." },
      { name: "STRIPE_API_BASE", default: "https://api.stripe.com", meaning: "Where Stripe's API is (a local Stripe-compatible server in tests)." },
      { name: "PREPAID_SANDBOX_DELAY_MS", default: "0", meaning: "How long each sandbox charge takes (demos, race tests)." },
      { name: "PREPAID_SANDBOX_FAULTS", default: "unset", meaning: "Injected sandbox faults for resilience tests, e.g. `error=0.1,slow=0.05,slow_ms=2000,error_after=0.05`." },
      { name: "PREPAID_GATEWAY_TIMEOUT_MS", default: "30000", meaning: "How long a charge waits for the provider before its outcome counts as unknown (looked up, never failed)." },
    ],
  },
  {
    title: "Pricing and Auto-Recharge",
    settings: [
      { name: "PREPAID_RATE_WITH_WIDGET", default: "0.16", meaning: "USD per minute with the Web Widget on." },
      { name: "PREPAID_RATE_WITHOUT_WIDGET", default: "0.18", meaning: "USD per minute without it." },
      { name: "PREPAID_MAX_AUTO_CHARGES_PER_DAY", default: "20", meaning: "Automatic charges per account per 24 h at most." },
      { name: "PREPAID_RETRY_DELAYS", default: "1m,5m,30m,2h", meaning: "Backoff of soft-failed charges (`none`: a soft failure is final at once; an unknown outcome is still looked up)." },
      { name: "PREPAID_RECONCILE_INTERVAL", default: "1m", meaning: "How often a charge whose outcome is still unknown after its last try is looked up again." },
      { name: "PREPAID_CHARGE_LEASE_MS", default: "60000", meaning: "How long a worker owns a charge it started before another may take it over (looking it up first)." },
      { name: "PREPAID_MAX_CHARGES_IN_FLIGHT", default: "16", meaning: "Charges one worker has at the provider at once." },
      { name: "PREPAID_WORKER_POLL_MS", default: "250", meaning: "How often idle workers look for due work (commits wake them at once)." },
    ],
  },
  {
    title: "Calls and usage",
    settings: [
      { name: "PREPAID_CALL_HOLD_SECONDS", default: "60", meaning: "Seconds of credit at its rate a running call holds beyond what it billed." },
      { name: "PREPAID_CALL_IDLE_TIMEOUT", default: "10m", meaning: "A call with no usage report for this long is ended at its last reported seconds." },
      { name: "PREPAID_USAGE_BATCH_MAX", default: "1000", meaning: "Usage reports committed in one transaction at most (1: one transaction per report)." },
      { name: "PREPAID_USAGE_WRITERS", default: "2 on PostgreSQL, 1 on PGlite", meaning: "Usage batches committing at once." },
      { name: "PREPAID_USAGE_QUEUE_MAX", default: "20000", meaning: "Usage events waiting for a batch at most; past it reports get 429 with Retry-After." },
    ],
  },
  {
    title: "Voice providers",
    settings: [
      { name: "PREPAID_CONNECTOR_TICK", default: "15s", meaning: "How often prepaid meters the calls it takes from a voice provider (`POST /v1/connectors/{provider}/events`) while they run." },
      { name: "PREPAID_CONNECTOR_STALE", default: "2m", meaning: "A provider's running call with no event for this long is looked up through the provider's API and settled." },
      { name: "TWILIO_ACCOUNT_SID", default: "unset", meaning: "With `TWILIO_AUTH_TOKEN`: takes Twilio's status callbacks (the token checks their signature) and hangs calls up through its API." },
      { name: "TWILIO_AUTH_TOKEN", default: "unset", meaning: "Twilio's auth token (never logged)." },
      { name: "TWILIO_API_BASE", default: "https://api.twilio.com", meaning: "Where Twilio's REST API is (a local fake in tests)." },
      { name: "VAPI_API_KEY", default: "unset", meaning: "With `VAPI_WEBHOOK_SECRET`: takes Vapi's server messages and looks calls up through its API." },
      { name: "VAPI_WEBHOOK_SECRET", default: "unset", meaning: "The server URL secret Vapi sends as `X-Vapi-Secret` or signs `x-vapi-signature` with (never logged)." },
      { name: "VAPI_API_BASE", default: "https://api.vapi.ai", meaning: "Where Vapi's API is; control URLs are followed only on `*.vapi.ai` or this origin." },
      { name: "RETELL_API_KEY", default: "unset", meaning: "Takes Retell's webhooks (its signature key) and stops and looks calls up through its API." },
      { name: "RETELL_API_BASE", default: "https://api.retellai.com", meaning: "Where Retell's API is (a local fake in tests)." },
    ],
  },
  {
    title: "Notifications",
    settings: [
      { name: "PREPAID_DELIVERY_RETRY_DELAYS", default: "30s,2m,10m,1h,6h,24h", meaning: "Backoff between tries of a failed webhook or email; after the last, it is marked failed." },
      { name: "PREPAID_WEBHOOK_TIMEOUT_MS", default: "10000", meaning: "A webhook try is cut at this, as a whole (connect, TLS, status and headers); the answer's body is never read." },
      { name: "PREPAID_DELIVERY_CONCURRENCY", default: "16", meaning: "Webhook and email tries one process has in flight at once." },
      { name: "PREPAID_WEBHOOK_PER_ENDPOINT", default: "2", meaning: "Tries in flight per webhook endpoint, across every process: a slow endpoint holds only its own." },
      { name: "PREPAID_WEBHOOK_ALLOW_PRIVATE", default: "false", meaning: "`true` lets webhooks reach loopback and private addresses (tests, development only)." },
      { name: "SMTP_URL", default: "unset", meaning: "`smtp://user:pass@host:port` for notice emails; unset, emails are written to `PREPAID_OUTBOX_DIR`." },
      { name: "PREPAID_OUTBOX_DIR", default: "<PREPAID_DATA_DIR>/outbox", meaning: "Where emails go without SMTP (one .eml file each)." },
      { name: "PREPAID_EMAIL_FROM", default: "prepaid <billing@prepaid.localhost>", meaning: "The From of notice emails." },
    ],
  },
  {
    title: "Abuse limits",
    settings: [
      {
        name: "PREPAID_RATE_LIMITS",
        default: "card_saves=10/1h,top_ups=10/1h,auth_failures=60/1m,session_exchanges=60/1m,session_card_saves=30/1h,saved_cards=20",
        meaning: "Overrides of the abuse limits (`name=count/window`; `saved_cards=N` caps saved cards per account), counted across every process; over one: 429 with Retry-After. Names left out keep their defaults.",
      },
    ],
  },
  {
    title: "Tests and fault injection",
    settings: [{ name: "PREPAID_FAULT", default: "unset", meaning: "`crash_after_charge`: the worker kills its own process right after a provider charged (the crash tests)." }],
  },
] as const satisfies readonly SettingGroup[];

export type SettingName = (typeof SETTING_GROUPS)[number]["settings"][number]["name"];

/** A variable's text, by a name on the list (any other name does not compile). */
export const settingText = (env: NodeJS.ProcessEnv, name: SettingName): string | undefined => env[name];
