/**
 * The document's examples, in one place so they tell one story: Acme Voice (a user account,
 * Web Widget on, $0.16/min) with a Visa •••• 4242, Auto-Recharge $50 below $10, one automatic
 * recharge, calls reported by its telephony. Each matches its schema (the OpenAPI tests lint
 * the document; the SDK's types are generated from it).
 */
const ACCOUNT = "acct_3kX9pQ2mZ7rT1vB8nW4y";
const AGENCY = "acct_9fL2sD8kQ4wE6rT1yU3i";
const CARD = "pm_7hJ2kL9mN4bV6cX1zQ8w";
const RECHARGE = "rch_5tR8yU2iO4pA6sD9fG1h";
const KEY = "key_2wE4rT6yU8iO1pA3sD5f";
const AT = "2026-11-24T20:13:32.405Z";

/** A card as settings and previews name it; a saved card (PaymentMethod) adds its expiry. */
const card = { id: CARD, brand: "visa", last4: "4242" };

const Recharge = {
  id: RECHARGE,
  account_id: ACCOUNT,
  trigger: "auto",
  amount: "50.00",
  status: "succeeded",
  attempts: 1,
  payment_method_id: CARD,
  card: { brand: "visa", last4: "4242" },
  failure_code: null,
  failure_message: null,
  refunded: "0.00",
  created_at: AT,
  settled_at: "2026-11-24T20:13:34.112Z",
};

const AutoRechargeSettings = {
  enabled: true,
  threshold: "10.00",
  amount: "50.00",
  mode: "fixed",
  target: null,
  monthly_limit: "500.00",
  payment_method_id: CARD,
  card,
  state: "idle",
  failure: null,
  limit_reached: null,
  in_flight_recharge_id: null,
};

const ApiKeyRecord = {
  id: KEY,
  account_id: ACCOUNT,
  name: "telephony",
  scope: "usage",
  prefix: "ppk_Q2mZ7rT1",
  created_at: AT,
  last_used_at: "2026-11-25T09:02:11.000Z",
  expires_at: null,
  revoked_at: null,
};

const WebhookEndpoint = {
  id: "whe_4rT6yU8iO1pA3sD5fG7h",
  url: "https://hooks.acme-voice.example/prepaid",
  events: ["recharge.failed", "account.paused"],
  created_at: AT,
};

const Session = {
  session_id: "ses_8iO1pA3sD5fG7hJ9kL2z",
  account_id: ACCOUNT,
  role: "owner",
  expires_at: "2026-11-24T21:13:32.405Z",
  return_url: "https://app.acme-voice.example/settings",
};

const Account = {
  id: ACCOUNT,
  name: "Acme Voice",
  type: "user",
  parent_id: null,
  web_widget: true,
  email: "billing@acme-voice.example",
  status: "active",
  balance: "37.412500",
  granted_balance: "3.400000",
  rate_per_minute: "0.16",
  minutes_available: "233.82",
  runway_hours: 76.3,
  active_calls: 2,
  max_concurrent_calls: 10,
  held: "0.32",
  auto_recharge: AutoRechargeSettings,
  created_at: "2026-11-01T08:00:00.000Z",
};

export const EXAMPLES = {
  Account,
  AccountSummary: { ...Account, risks: [] },
  Me: { ...Account, credential: { type: "api_key", scope: "full", id: "key_3kX9pQ2mZ7rT1vB8nW4y" } },
  OperatorSession: { session_id: "ses_5fG7hJ9kL2zX4cV6bN8m", token: "pps_Zx4cV6bN8mQ1wE3rT5yU7iO9pA2sD4fG6hJ8kL0zXc1", expires_at: "2026-11-25T04:13:32.405Z" },
  CreateAccount: { name: "Acme Voice", type: "subaccount", parent_id: AGENCY, web_widget: true, email: "billing@acme-voice.example" },
  PatchAccount: { web_widget: false },
  ApiKeyRecord,
  ApiKey: { ...ApiKeyRecord, key: "ppk_Q2mZ7rT1vB8nW4yX3kL9pA6sD2fG5hJ8kL0zXc1v" },
  CreateApiKey: { name: "telephony", scope: "usage" },
  RotateApiKey: { grace_seconds: 3600 },
  Transaction: {
    id: "txn_6yU8iO1pA3sD5fG7hJ9k",
    account_id: ACCOUNT,
    type: "recharge",
    amount: "50.00",
    balance_after: "59.840000",
    call_id: null,
    recharge_id: RECHARGE,
    reason: null,
    created_at: "2026-11-24T20:13:34.112Z",
  },
  Adjustment: { amount: "5.00", reason: "credit for dropped call twilio-CA42f0" },
  NewGrant: { amount: "5.00", reason: "trial minutes", category: "promotional", expires_at: "2026-12-31T23:59:59Z" },
  Grant: {
    id: "grt_7hJ2kL4mN6pQ8rS1tU3v",
    account_id: ACCOUNT,
    category: "promotional",
    amount: "5.00",
    remaining: "3.400000",
    reason: "trial minutes",
    expires_at: "2026-12-31T23:59:59.000Z",
    status: "active",
    expired: null,
    created_at: AT,
  },
  NewRefund: { amount: "20.00", reason: "customer asked: unused credit" },
  Refund: {
    id: "rfd_2wE4rT6yU8iO1pA3sD5f",
    account_id: ACCOUNT,
    recharge_id: RECHARGE,
    amount: "20.00",
    reason: "customer asked: unused credit",
    status: "succeeded",
    provider_refund_id: "re_3Q2w3E4r5T6y7U8i",
    failure_code: null,
    failure_message: null,
    created_at: AT,
    settled_at: "2026-11-24T20:13:35.020Z",
  },
  PaymentMethod: { ...card, exp_month: 12, exp_year: 2030, is_default: true, created_at: AT },
  SavedPaymentMethod: { ...card, exp_month: 12, exp_year: 2030, is_default: true, created_at: AT, replaced_payment_method_id: null, triggered_recharge_id: null },
  CallRecord: { id: "twilio-CA42f0", status: "ended", rate_per_minute: "0.16", billed_seconds: 95, amount: "0.253333", started_at: AT, ended_at: "2026-11-24T20:14:07.000Z", ended_by: "report" },
  NewPaymentMethod: { card: { number: "4242 4242 4242 4242", exp_month: 12, exp_year: 2030, cvc: "123" }, default: true },
  CardSetup: { setup_intent_id: "seti_1Q2w3E4r5T6y7U8i", client_secret: "seti_1Q2w3E4r5T6y7U8i_secret_abc123", publishable_key: "pk_test_51Abc", api_base: "https://api.stripe.com" },
  Recharge,
  TopUp: { amount: "25.00", payment_method_id: CARD },
  AutoRechargeSettingsInput: { enabled: true, threshold: "10.00", amount: "50.00", monthly_limit: "500.00", payment_method_id: CARD },
  AutoRechargeSettings,
  SavedAutoRechargeSettings: { ...AutoRechargeSettings, state: "recharging", in_flight_recharge_id: RECHARGE, triggered_recharge: { ...Recharge, trigger: "threshold_sync", status: "pending", settled_at: null } },
  AutoRechargePreview: {
    will_charge: true,
    amount: "50.00",
    card,
    balance: "8.40",
    threshold: "10.00",
    reason: null,
    message: "Saving will charge $50.00 to Visa •••• 4242 now: the balance ($8.40) is below the new threshold ($10.00).",
  },
  PaymentAuthentication: { payment_intent_id: "pi_3Q2w3E4r5T6y7U8i", client_secret: "pi_3Q2w3E4r5T6y7U8i_secret_def456", publishable_key: "pk_test_51Abc", api_base: "https://api.stripe.com" },
  Notification: {
    id: "ntf_1pA3sD5fG7hJ9kL2zX4c",
    type: "recharge.succeeded",
    title: "Receipt: $50.00 added to your prepaid balance",
    account_id: ACCOUNT,
    message: "Auto-Recharge charged $50.00 to Visa •••• 4242. New balance $59.84 (374 minutes at $0.16/min).",
    data: { recharge_id: RECHARGE, amount: "50.00", balance: "59.84" },
    created_at: "2026-11-24T20:13:34.112Z",
    read: false,
  },
  UsageDay: { day: "2026-11-24", seconds: 5430, minutes: "90.50", calls: 37, cost: "14.480000" },
  Pricing: { rate_with_widget: "0.16", rate_without_widget: "0.18", payments: "stripe" },
  StripeWebhookReceipt: { received: true, outcome: "recharge rch_5tR8yU2iO4pA6sD9fG1h settled: succeeded" },
  WebhookEndpoint,
  CreatedWebhookEndpoint: { ...WebhookEndpoint, secret: "whsec_9kL2zX4cV6bN8mQ1wE3r" },
  WebhookEndpointIn: { url: WebhookEndpoint.url, events: WebhookEndpoint.events },
  Delivery: {
    id: "dlv_3sD5fG7hJ9kL2zX4cV6b",
    notification_id: "ntf_1pA3sD5fG7hJ9kL2zX4c",
    type: "recharge.failed",
    channel: "webhook",
    target: WebhookEndpoint.url,
    status: "pending",
    attempts: 2,
    last_status_code: 503,
    last_error: "HTTP 503",
    next_attempt_at: "2026-11-24T20:25:32.000Z",
    delivered_at: null,
    created_at: AT,
  },
  CreateSession: { role: "owner", ttl_seconds: 3600, return_url: "https://app.acme-voice.example/settings" },
  SessionLink: { id: "ses_8iO1pA3sD5fG7hJ9kL2z", url: "https://billing.acme-voice.example/s#code=Zx4cV6bN8mQ1wE3rT5yU7iO9pA2sD4fG6hJ8kL0zXc1", role: "owner", expires_at: "2026-11-24T20:14:32.405Z" },
  SessionExchange: { code: "Zx4cV6bN8mQ1wE3rT5yU7iO9pA2sD4fG6hJ8kL0zXc1" },
  SessionToken: { token: "pps_Q1wE3rT5yU7iO9pA2sD4fG6hJ8kL0zXc1vB3nM5qW7e", ...Session },
  Session,
  Branding: { display_name: "Acme Voice", logo_url: "https://cdn.acme-voice.example/logo.png", accent_color: "#0B5FFF", source: "own" },
  BrandingUpdate: { display_name: "Acme Voice", accent_color: "#0B5FFF" },
  AuditEntry: {
    id: "aud_5fG7hJ9kL2zX4cV6bN8m",
    account_id: ACCOUNT,
    account_name: "Acme Voice",
    action: "auto_recharge.updated",
    actor: { type: "session", id: "ses_8iO1pA3sD5fG7hJ9kL2z", label: "Payments page (owner)" },
    request_id: "req_7hJ9kL2zX4cV6bN8mQ1w",
    changes: { threshold: ["5.00", "10.00"] },
    created_at: AT,
  },
  Error: { error: { code: "invalid_request", message: "amount: must be between 5.00 and 10000.00", request_id: "req_9kL2zX4cV6bN8mQ1wE3r", field: "amount" } },
} as const;
