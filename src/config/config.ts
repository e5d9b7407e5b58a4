import { parseConfigMicros } from "../money/parse.js";
import { usd, type Micros } from "../money/micros.js";
import { parseDurationsMs } from "./durations.js";
import { parseRateLimits, type RateLimits } from "./rate-limits.js";
import { parseEmbedOrigins, parsePublicUrl } from "./embed-origins.js";
import { parseLogLevel, type LogLevel } from "../logging/logger.js";
import { Secrets } from "../secrets/secrets.js";
import { serverSecret } from "../secrets/server-secret.js";
import { settingText, type SettingName } from "./settings.js";
import { connectorsConfig, type ConnectorsConfig } from "./connectors.js";

/** Variables are read by their names on the list (settings.ts): another name does not compile. */
const get = settingText;

export interface StripeConfig {
  secretKey: string;
  /** Signs the events Stripe posts to /v1/webhooks/stripe; without it webhooks are refused. */
  webhookSecret: string | undefined;
  /** Where the API is: https://api.stripe.com, or a local Stripe-compatible server. */
  apiBase: URL;
  /** Given to the dashboard, which creates payment methods at Stripe with it. */
  publishableKey: string | undefined;
}

function stripeConfig(env: NodeJS.ProcessEnv): StripeConfig {
  const secretKey = get(env, "STRIPE_SECRET_KEY");
  if (!secretKey) throw new Error("PREPAID_PAYMENTS=stripe needs STRIPE_SECRET_KEY");
  let apiBase: URL;
  try {
    apiBase = new URL(get(env, "STRIPE_API_BASE") || "https://api.stripe.com");
  } catch {
    throw new Error(`STRIPE_API_BASE is not a URL: ${get(env, "STRIPE_API_BASE")}`);
  }
  return { secretKey, webhookSecret: get(env, "STRIPE_WEBHOOK_SECRET") || undefined, apiBase, publishableKey: get(env, "STRIPE_PUBLISHABLE_KEY") || undefined };
}

export interface Config {
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  adminKey: string | undefined;
  /**
   * Keyed hashes and sealing under the server secret (PREPAID_SECRET, else a generated one kept
   * in the data directory): read on first use, so commands that need none never create it.
   */
  readonly secrets: Secrets;
  /** Where the secret came from: a generated one is per data directory (see server-secret.ts). */
  readonly secretSource: "env" | "file";
  payments: "sandbox" | "stripe";
  /** Set when payments is stripe (checked at start). */
  stripe: StripeConfig | undefined;
  /** Rate table (operator configuration): $0.16/min with the Web Widget, $0.18/min without. */
  rates: { withWidgetMicros: Micros; withoutWidgetMicros: Micros };
  /** Operator limits on Auto-Recharge settings and charges (docs/concepts.md). */
  limits: {
    thresholdMinMicros: Micros;
    thresholdMaxMicros: Micros;
    amountMinMicros: Micros;
    amountMaxMicros: Micros;
    maxAutomaticChargesPer24h: number;
  };
  /** Running calls (docs/concepts.md Holds): what each holds beyond what it billed, and when a silent one is ended. */
  calls: {
    /** PREPAID_CALL_HOLD_SECONDS: the seconds of credit at its rate a running call holds. */
    holdSeconds: number;
    /** PREPAID_CALL_IDLE_TIMEOUT: a call with no report for this long is ended at its last reported seconds. */
    idleTimeoutMs: number;
  };
  /** Backoff of soft-failed recharges; its length is the number of retries. */
  retryDelaysMs: number[];
  sandboxDelayMs: number;
  /** Injected provider faults, for resilience tests (PREPAID_SANDBOX_FAULTS; the sandbox parses it). */
  sandboxFaults: string | undefined;
  /** How long a worker owns a charge it started before another may resume it. */
  chargeLeaseMs: number;
  /** How long the worker waits for the gateway before the outcome counts as unknown. */
  gatewayTimeoutMs: number;
  workerPollMs: number;
  /** Charges one worker has at the provider at once (each account has at most one). */
  maxChargesInFlight: number;
  /** How often a charge whose outcome is still unknown after its last try is looked up again. */
  reconcileIntervalMs: number;
  /** Most usage reports committed in one transaction (1 = one transaction per report). */
  usageBatchMax: number;
  /** Usage batches committing at once. */
  usageWriters: number;
  /** Usage events waiting for a batch at most; past it, reports get 429 (bounded memory). */
  usageQueueMax: number;
  /** Run the recharge worker inside `serve` (set false to run `prepaid worker` apart). */
  inProcessWorker: boolean;
  /** Notification delivery: webhooks and email (docs/concepts.md Notifications). */
  delivery: {
    /** Backoff between tries of a failed delivery; after the last, it is marked failed. */
    retryDelaysMs: number[];
    /** A receiver slower than this counts as a failed try. */
    timeoutMs: number;
    /** SMTP server (smtp://user:pass@host:port); unset: emails are written to `outboxDir`. */
    smtpUrl: string | undefined;
    outboxDir: string;
    emailFrom: string;
    /** PREPAID_WEBHOOK_ALLOW_PRIVATE: webhooks may reach loopback and private addresses (tests, development). */
    allowPrivate: boolean;
    /** PREPAID_DELIVERY_CONCURRENCY: tries one process has in flight at once. */
    concurrency: number;
    /** PREPAID_WEBHOOK_PER_ENDPOINT: tries in flight per webhook endpoint, across processes. */
    perEndpoint: number;
  };
  /** Abuse limits (docs/concepts.md), PREPAID_RATE_LIMITS overriding the defaults. */
  rateLimits: RateLimits;
  /** Create a demo user and agency at `serve` and print their keys (embedded default only). */
  demoAccounts: boolean;
  /** PREPAID_PUBLIC_URL: the origin of session links; unset, the origin each request came to. */
  publicUrl: URL | undefined;
  /** PREPAID_EMBED_ORIGINS: who may frame the dashboard (none by default). */
  embedOrigins: string[];
  /** LOG_LEVEL: info by default (a line per request and per money event). */
  logLevel: LogLevel;
  /** PREPAID_OPERATOR_NAME: who issues the receipts (their header); receipt numbers run per operator name. */
  operatorName: string;
  /** Calls taken from voice providers' webhooks (docs/voice-stack.md); each provider is off until configured. */
  connectors: ConnectorsConfig;
}

function integerEnv(env: NodeJS.ProcessEnv, name: SettingName, fallback: number): number {
  const raw = settingText(env, name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, not ${raw}`);
  return value;
}

function singleDurationMs(env: NodeJS.ProcessEnv, name: SettingName, fallback: string): number {
  const parsed = parseDurationsMs(settingText(env, name) || fallback);
  if (parsed.length !== 1) throw new Error(`${name} is one duration (e.g. 1m), not ${settingText(env, name)}`);
  return parsed[0]!;
}

/** Reads the environment once at start; a bad value stops the process with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integerEnv(env, "PORT", 3000);
  if (port > 65535) throw new Error(`PORT is not a port: ${get(env, "PORT")}`);
  const payments = get(env, "PREPAID_PAYMENTS") || "sandbox";
  if (payments !== "sandbox" && payments !== "stripe") {
    throw new Error(`PREPAID_PAYMENTS must be sandbox or stripe, not ${payments}`);
  }
  const dataDir = get(env, "PREPAID_DATA_DIR") || "./data";
  let resolved: { secrets: Secrets; source: "env" | "file" } | undefined;
  const secret = () => {
    if (!resolved) {
      const { secret: text, source } = serverSecret(get(env, "PREPAID_SECRET") || undefined, dataDir);
      resolved = { secrets: new Secrets(text), source };
    }
    return resolved;
  };
  return {
    port,
    dataDir,
    databaseUrl: get(env, "DATABASE_URL") || undefined,
    adminKey: get(env, "PREPAID_ADMIN_KEY") || undefined,
    get secrets() {
      return secret().secrets;
    },
    get secretSource() {
      return secret().source;
    },
    payments,
    stripe: payments === "stripe" ? stripeConfig(env) : undefined,
    rates: {
      withWidgetMicros: parseConfigMicros(get(env, "PREPAID_RATE_WITH_WIDGET") || "0.16"),
      withoutWidgetMicros: parseConfigMicros(get(env, "PREPAID_RATE_WITHOUT_WIDGET") || "0.18"),
    },
    limits: {
      thresholdMinMicros: 0n,
      thresholdMaxMicros: usd(10_000),
      amountMinMicros: usd(5),
      amountMaxMicros: usd(10_000),
      maxAutomaticChargesPer24h: integerEnv(env, "PREPAID_MAX_AUTO_CHARGES_PER_DAY", 20),
    },
    calls: {
      // At least a second: a hold of nothing would authorise calls on an empty wallet.
      holdSeconds: Math.max(1, integerEnv(env, "PREPAID_CALL_HOLD_SECONDS", 60)),
      idleTimeoutMs: singleDurationMs(env, "PREPAID_CALL_IDLE_TIMEOUT", "10m"),
    },
    // "none": a soft failure is final at once (an unknown outcome is still looked up).
    retryDelaysMs: get(env, "PREPAID_RETRY_DELAYS") === "none" ? [] : parseDurationsMs(get(env, "PREPAID_RETRY_DELAYS") || "1m,5m,30m,2h"),
    sandboxDelayMs: integerEnv(env, "PREPAID_SANDBOX_DELAY_MS", 0),
    sandboxFaults: get(env, "PREPAID_SANDBOX_FAULTS"),
    chargeLeaseMs: integerEnv(env, "PREPAID_CHARGE_LEASE_MS", 60_000),
    gatewayTimeoutMs: integerEnv(env, "PREPAID_GATEWAY_TIMEOUT_MS", 30_000),
    workerPollMs: integerEnv(env, "PREPAID_WORKER_POLL_MS", 250),
    // 16 slow provider calls (30 s timeout) still leave each process's event loop idle; the
    // claim is one statement per free slot batch, so more slots cost nothing while unused.
    maxChargesInFlight: Math.max(1, integerEnv(env, "PREPAID_MAX_CHARGES_IN_FLIGHT", 16)),
    reconcileIntervalMs: singleDurationMs(env, "PREPAID_RECONCILE_INTERVAL", "1m"),
    usageBatchMax: Math.max(1, integerEnv(env, "PREPAID_USAGE_BATCH_MAX", 1000)),
    // Two batches at once keep PostgreSQL busy while Node prepares the next (measured: the bench
    // runs with 2); PGlite has one connection, so more would only queue.
    usageWriters: Math.max(1, integerEnv(env, "PREPAID_USAGE_WRITERS", get(env, "DATABASE_URL") ? 2 : 1)),
    usageQueueMax: Math.max(1, integerEnv(env, "PREPAID_USAGE_QUEUE_MAX", 20_000)),
    inProcessWorker: get(env, "PREPAID_IN_PROCESS_WORKER") !== "false",
    delivery: {
      retryDelaysMs: parseDurationsMs(get(env, "PREPAID_DELIVERY_RETRY_DELAYS") || "30s,2m,10m,1h,6h,24h"),
      timeoutMs: integerEnv(env, "PREPAID_WEBHOOK_TIMEOUT_MS", 10_000),
      smtpUrl: get(env, "SMTP_URL") || undefined,
      outboxDir: get(env, "PREPAID_OUTBOX_DIR") || `${get(env, "PREPAID_DATA_DIR") || "./data"}/outbox`,
      emailFrom: get(env, "PREPAID_EMAIL_FROM") || "prepaid <billing@prepaid.localhost>",
      allowPrivate: get(env, "PREPAID_WEBHOOK_ALLOW_PRIVATE") === "true",
      // 16 tries of at most the 10 s timeout each: one process sends ~1.6 slow deliveries a
      // second at worst, and fast ones as fast as they answer; 2 per endpoint keeps one
      // receiver from taking more than an eighth of that.
      concurrency: Math.max(1, integerEnv(env, "PREPAID_DELIVERY_CONCURRENCY", 16)),
      perEndpoint: Math.max(1, integerEnv(env, "PREPAID_WEBHOOK_PER_ENDPOINT", 2)),
    },
    rateLimits: parseRateLimits(get(env, "PREPAID_RATE_LIMITS")),
    // Demo keys are kept in a file beside the embedded database; a PostgreSQL deployment is real money.
    demoAccounts: get(env, "DATABASE_URL") ? false : get(env, "PREPAID_DEMO") !== "false",
    publicUrl: parsePublicUrl(get(env, "PREPAID_PUBLIC_URL")),
    embedOrigins: parseEmbedOrigins(get(env, "PREPAID_EMBED_ORIGINS")),
    logLevel: parseLogLevel(get(env, "LOG_LEVEL")),
    operatorName: (get(env, "PREPAID_OPERATOR_NAME") ?? "").trim().slice(0, 200) || "prepaid",
    connectors: connectorsConfig(env, (name, fallback) => singleDurationMs(env, name, fallback)),
  };
}
