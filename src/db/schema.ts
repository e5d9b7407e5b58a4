import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
/** Every amount is a bigint of µUSD, read back as a JS bigint on both back-ends. */
const micros = (name: string) => bigint(name, { mode: "bigint" });

export const accounts = pgTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    type: text("type", { enum: ["user", "agency", "subaccount"] }).notNull(),
    parentId: text("parent_id").references((): any => accounts.id),
    webWidget: boolean("web_widget").notNull().default(false),
    status: text("status", { enum: ["active", "paused"] }).notNull().default("active"),
    /** Where receipts and failure notices are emailed; none when null. */
    email: text("email"),
    /** Calls it may run at once (set by the operator); null: unlimited. */
    maxConcurrentCalls: integer("max_concurrent_calls"),
    /** Its price plan (docs/plans.md); null: the built-in default plan (the configured rates). */
    pricePlanId: text("price_plan_id").references((): any => pricePlans.id),
    /** An agency's resale rates to its subaccounts (docs/plans.md); both null: it does not resell. */
    resaleWebWidgetRateMicros: micros("resale_web_widget_rate_micros"),
    resaleDefaultRateMicros: micros("resale_default_rate_micros"),
    createdAt: createdAt(),
  },
  (t) => [
    check("accounts_resale_check", sql`(${t.resaleWebWidgetRateMicros} is null) = (${t.resaleDefaultRateMicros} is null) and (${t.resaleWebWidgetRateMicros} is null or (${t.type} = 'agency' and ${t.resaleWebWidgetRateMicros} > 0 and ${t.resaleDefaultRateMicros} > 0))`),
    check("accounts_max_concurrent_calls_check", sql`${t.maxConcurrentCalls} is null or ${t.maxConcurrentCalls} >= 0`),
    check("accounts_type_check", sql`${t.type} in ('user', 'agency', 'subaccount')`),
    check("accounts_status_check", sql`${t.status} in ('active', 'paused')`),
    // A subaccount belongs to exactly one agency; nothing else has a parent.
    check("accounts_parent_check", sql`(${t.type} = 'subaccount') = (${t.parentId} is not null)`),
    index("accounts_parent_idx").on(t.parentId),
  ],
);

/** A price plan (docs/plans.md): an account's per-minute rates, and a monthly fee it adds. */
export const pricePlans = pgTable(
  "price_plans",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    webWidgetRateMicros: micros("web_widget_rate_micros").notNull(),
    defaultRateMicros: micros("default_rate_micros").notNull(),
    monthlyFeeMicros: micros("monthly_fee_micros"),
    createdAt: createdAt(),
  },
  (t) => [
    check("price_plans_rates_check", sql`${t.webWidgetRateMicros} > 0 and ${t.defaultRateMicros} > 0`),
    check("price_plans_fee_check", sql`${t.monthlyFeeMicros} is null or ${t.monthlyFeeMicros} > 0`),
  ],
);

/** The cached balance: one small hot row per account, so debits never touch `accounts`. */
export const wallets = pgTable("wallets", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id),
  balanceMicros: micros("balance_micros").notNull().default(sql`0`),
  // Sums over the account's running calls (status active), kept with each start and end so
  // that authorising a call reads this one row: their holds, how many, their rates per minute.
  heldMicros: micros("held_micros").notNull().default(sql`0`),
  activeCalls: integer("active_calls").notNull().default(0),
  activeRateMicros: micros("active_rate_micros").notNull().default(sql`0`),
  // Σ remaining of its credit grants not yet expired (part of the balance): 0 lets a usage
  // batch skip the grants entirely.
  grantedMicros: micros("granted_micros").notNull().default(sql`0`),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
}, (t) => [
  check("wallets_running_calls_check", sql`${t.heldMicros} >= 0 and ${t.activeCalls} >= 0 and ${t.activeRateMicros} >= 0`),
  check("wallets_granted_check", sql`${t.grantedMicros} >= 0`),
]);

export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    // Insertion order, for stable newest-first paging (ids are random).
    seq: bigint("seq", { mode: "bigint" }).generatedAlwaysAsIdentity(),
    id: text("id").primaryKey(),
    // No foreign key: its per-row check was a third of a 1000-entry insert. A statement-level
    // trigger (migration 0006) checks every inserted entry's account has a wallet, and wallets,
    // which reference accounts, cannot be deleted.
    accountId: text("account_id").notNull(),
    type: text("type", { enum: ["usage", "recharge", "adjustment", "refund", "dispute", "grant", "grant_expiry", "rebilling_margin", "fee"] }).notNull(),
    amountMicros: micros("amount_micros").notNull(),
    balanceAfterMicros: micros("balance_after_micros").notNull(),
    // The cause's own key (`usage:<call>:<billed-up-to second>`, `recharge:<recharge id>`,
    // `adjustment:<fresh id>`): the unique index makes applying the same cause twice
    // impossible. An adjustment's retry is kept from posting twice by its request's
    // Idempotency-Key, not by this key.
    entryKey: text("entry_key").notNull().unique("ledger_entries_entry_key_key"),
    callId: text("call_id"),
    rechargeId: text("recharge_id"),
    reason: text("reason"),
    // Usage entries: the seconds this entry bills, for the per-day usage summary.
    seconds: integer("seconds"),
    // A rebilled debit (usage or fee of a subaccount whose agency resells) and the margin
    // entries it pays: the transaction's batch, and the part of this debit that is the
    // agency's margin. Null elsewhere. `prepaid verify` checks each batch adds up.
    batchId: text("batch_id"),
    marginMicros: micros("margin_micros"),
    createdAt: createdAt(),
  },
  (t) => [
    check("ledger_entries_type_check", sql`${t.type} in ('usage', 'recharge', 'adjustment', 'refund', 'dispute', 'grant', 'grant_expiry', 'rebilling_margin', 'fee')`),
    check("ledger_entries_amount_check", sql`${t.amountMicros} <> 0`),
    // Ascending: a wallet's new entries go to the right end of its range (newest-first reads scan it
    // backwards just as fast). Descending put every insert at the left of the range, and a
    // 1000-debit batch on one wallet took 15% longer.
    index("ledger_entries_account_seq_idx").on(t.accountId, t.seq),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    // Null for operator (admin) keys.
    accountId: text("account_id").references(() => accounts.id),
    role: text("role", { enum: ["account", "admin"] }).notNull(),
    name: text("name"),
    // full: everything the account may do; read: GETs only; usage: what call infrastructure needs.
    scope: text("scope", { enum: ["full", "read", "usage"] }).notNull().default("full"),
    // The first 12 characters of the key, to find the row and to show it; never enough to use it.
    prefix: text("prefix").notNull(),
    // HMAC-SHA256 of the key under the server secret (src/secrets): no unsalted hash is kept.
    hmacHex: text("hmac_hex"),
    // Keys made before the server secret: upgraded to hmac_hex (and this cleared) at first use.
    sha256Hex: text("sha256_hex"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    check("api_keys_role_check", sql`(${t.role} = 'admin') = (${t.accountId} is null)`),
    check("api_keys_scope_check", sql`${t.scope} in ('full', 'read', 'usage')`),
    check("api_keys_hash_check", sql`${t.hmacHex} is not null or ${t.sha256Hex} is not null`),
    index("api_keys_prefix_idx").on(t.prefix),
    index("api_keys_account_idx").on(t.accountId, t.createdAt.desc()),
  ],
);

/** Stored responses of POSTs sent with an Idempotency-Key, written in the request's own transaction. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    principal: text("principal").notNull(),
    key: text("key").notNull(),
    // HMAC of the method, path and body under the server secret; never covers a card's number or CVC.
    requestFingerprint: text("request_fingerprint").notNull(),
    statusCode: integer("status_code").notNull(),
    // The answer's exact bytes (a replay is byte-identical), or, when `sealed`, those bytes
    // encrypted under the server secret: answers that carry a secret (a new API key).
    responseBody: text("response_body").notNull(),
    sealed: boolean("sealed").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] })],
);

/**
 * Abuse limits counted across every process on the database (docs/concepts.md): one row per bucket
 * (what is limited, and for whom) and fixed window; rows of past windows are swept.
 */
export const rateLimitCounters = pgTable(
  "rate_limit_counters",
  {
    bucket: text("bucket").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true, mode: "date" }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] })],
);

export const paymentMethods = pgTable(
  "payment_methods",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    provider: text("provider", { enum: ["sandbox", "stripe"] }).notNull(),
    // The provider's reference (a sandbox token or a Stripe pm_…): never the card number.
    providerRef: text("provider_ref").notNull(),
    brand: text("brand").notNull(),
    last4: text("last4").notNull(),
    expMonth: integer("exp_month").notNull(),
    expYear: integer("exp_year").notNull(),
    // The provider's identity of the card number (Stripe's card.fingerprint; the sandbox's keyed
    // HMAC of the number): the same card saved again replaces the saved copy. Null when the
    // provider gave none; never the number or an unsalted hash of it.
    fingerprint: text("fingerprint"),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: createdAt(),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("payment_methods_account_idx").on(t.accountId),
    uniqueIndex("payment_methods_one_default_idx")
      .on(t.accountId)
      .where(sql`${t.isDefault} and ${t.deletedAt} is null`),
  ],
);

export const autoRechargeSettings = pgTable(
  "auto_recharge_settings",
  {
    accountId: text("account_id")
      .primaryKey()
      .references(() => accounts.id),
    enabled: boolean("enabled").notNull().default(false),
    thresholdMicros: micros("threshold_micros").notNull(),
    amountMicros: micros("amount_micros").notNull(),
    // `fixed` charges amount_micros (or the multiple of it that reaches the threshold);
    // `target` charges what lifts the balance to target_micros ("keep me at $200").
    mode: text("mode", { enum: ["fixed", "target"] }).notNull().default("fixed"),
    targetMicros: micros("target_micros"),
    monthlyLimitMicros: micros("monthly_limit_micros"),
    // Null: charge the account's default card.
    paymentMethodId: text("payment_method_id").references(() => paymentMethods.id),
    // Charged once, at once, when an automatic charge on the card above is declined hard (null: none).
    backupPaymentMethodId: text("backup_payment_method_id").references(() => paymentMethods.id),
    // Set by a hard failure; cleared only by a succeeded payment. While set, nothing is
    // charged automatically on failing_payment_method_id.
    failing: boolean("failing").notNull().default(false),
    failingPaymentMethodId: text("failing_payment_method_id"),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    // Why the last automatic recharge was held back (daily count, monthly limit), so a
    // limit is notified once, not on every debit.
    limitReached: text("limit_reached", { enum: ["daily_count", "monthly_limit"] }),
    // When Auto-Recharge was last turned off (null while on): verify proves no automatic
    // recharge was created after it.
    disabledAt: timestamp("disabled_at", { withTimezone: true, mode: "date" }),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [check("auto_recharge_settings_mode_check", sql`${t.mode} in ('fixed', 'target') and (${t.mode} = 'fixed' or ${t.targetMicros} is not null)`)],
);

export const recharges = pgTable(
  "recharges",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    trigger: text("trigger", { enum: ["auto", "threshold_sync", "manual", "retry", "backup"] }).notNull(),
    // A `backup` recharge: the automatic one whose hard decline on the primary card it follows.
    backupFor: text("backup_for"),
    // Set for a payment the customer confirms on the page (a top-up with Stripe, where the bank may
    // challenge): the worker never charges it off-session, and after this instant it looks it up
    // and closes it if it was not confirmed (nothing charged).
    confirmBy: timestamp("confirm_by", { withTimezone: true, mode: "date" }),
    amountMicros: micros("amount_micros").notNull(),
    paymentMethodId: text("payment_method_id")
      .notNull()
      .references(() => paymentMethods.id),
    status: text("status", { enum: ["pending", "processing", "succeeded", "failed"] }).notNull(),
    // Every claim by a worker (a try, a lookup, a takeover after a crash): who may settle it.
    attempts: integer("attempts").notNull().default(0),
    // Soft failures the provider reported (nothing charged): what PREPAID_RETRY_DELAYS bounds.
    // A try whose outcome never came back is not one of them (see charge-attempt.ts).
    softFailures: integer("soft_failures").notNull().default(0),
    // When the worker takes it next: the first try, a retry after its backoff, or a lookup of
    // an outcome the provider has not given yet.
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    // A worker owns a processing recharge until then; after it, another may resume it.
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true, mode: "date" }),
    // When a worker first took it to the provider ("charge started").
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    providerChargeId: text("provider_charge_id"),
    // Set when the tries ran out with the outcome unknown: the recharge stays open and the
    // reconciliation sweep looks it up until the provider says (the oldest is on /metrics).
    outcomeUnknownSince: timestamp("outcome_unknown_since", { withTimezone: true, mode: "date" }),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    settledAt: timestamp("settled_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    check("recharges_status_check", sql`${t.status} in ('pending', 'processing', 'succeeded', 'failed')`),
    check("recharges_amount_check", sql`${t.amountMicros} > 0`),
    // Exactly once: at most one recharge in flight per account, whatever races.
    uniqueIndex("recharges_one_in_flight_idx")
      .on(t.accountId)
      .where(sql`${t.status} in ('pending', 'processing')`),
    index("recharges_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'processing')`),
    index("recharges_account_created_idx").on(t.accountId, t.createdAt.desc()),
  ],
);

export const calls = pgTable(
  "calls",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    // Fixed when the call starts: a later widget toggle affects later calls only.
    ratePerMinuteMicros: micros("rate_per_minute_micros").notNull(),
    billedSeconds: integer("billed_seconds").notNull().default(0),
    billedMicros: micros("billed_micros").notNull().default(sql`0`),
    status: text("status", { enum: ["active", "ended"] }).notNull().default("active"),
    // The credit this call holds while it runs (PREPAID_CALL_HOLD_SECONDS at its rate), fixed
    // at the start so its end releases exactly what the wallet's held_micros gained.
    holdMicros: micros("hold_micros").notNull().default(sql`0`),
    lastReportAt: timestamp("last_report_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
    // provider: a voice provider's end event (connector-calls); refused: a provider's call
    // prepaid would not authorise, recorded ended with nothing billed.
    endedBy: text("ended_by", { enum: ["report", "idle_timeout", "provider", "refused"] }),
    // Fixed at the start with the rate, for a subaccount whose agency resells: the agency, and
    // its margin per minute (resale rate less the agency's plan rate). Null: not rebilled.
    marginAccountId: text("margin_account_id"),
    marginRatePerMinuteMicros: micros("margin_rate_per_minute_micros"),
  },
  (t) => [
    // Newest first per account: the dashboard's call list pages by (started_at, id).
    index("calls_account_started_idx").on(t.accountId, t.startedAt.desc(), t.id.desc()),
    // Running calls, for the idle sweep; on a column no report changes, so reports stay HOT updates (migration 0022).
    index("calls_active_idx").on(t.id).where(sql`${t.status} = 'active'`),
    check("calls_ended_by_check", sql`${t.endedBy} in ('report', 'idle_timeout', 'provider', 'refused')`),
    check("calls_hold_check", sql`${t.holdMicros} >= 0`),
    check("calls_margin_check", sql`(${t.marginAccountId} is null) = (${t.marginRatePerMinuteMicros} is null) and (${t.marginRatePerMinuteMicros} is null or ${t.marginRatePerMinuteMicros} between 0 and ${t.ratePerMinuteMicros})`),
    // The agency's rebilling view reads its subaccounts' rebilled calls by month.
    index("calls_margin_account_idx").on(t.marginAccountId, t.startedAt).where(sql`${t.marginAccountId} is not null`),
  ],
);

/**
 * A call prepaid takes from a voice provider's webhooks (src/connectors, billing/connector-calls):
 * beside its calls row (same id), what the provider said and what prepaid did at the provider.
 */
export const connectorCalls = pgTable(
  "connector_calls",
  {
    // `<provider>-<provider's call id>`, the calls row's id too.
    callId: text("call_id").primaryKey(),
    provider: text("provider", { enum: ["twilio", "vapi", "retell"] }).notNull(),
    providerCallId: text("provider_call_id").notNull(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    status: text("status", { enum: ["started", "answered", "ended", "refused"] }).notNull(),
    // The provider's clock: ticks meter from its answer time.
    answeredAt: timestamp("answered_at", { withTimezone: true, mode: "date" }),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
    // What the provider counted (its end event or a lookup): the final bill.
    providerDurationSeconds: integer("provider_duration_seconds"),
    refusedReason: text("refused_reason"),
    // Vapi's live-control URL (checked against its origin before use).
    controlUrl: text("control_url"),
    wrapUpSentAt: timestamp("wrap_up_sent_at", { withTimezone: true, mode: "date" }),
    // Claimed before prepaid asks the provider to hang up; cleared when the ask fails, so it is asked again.
    hangupRequestedAt: timestamp("hangup_requested_at", { withTimezone: true, mode: "date" }),
    hangupReason: text("hangup_reason"),
    lastEventAt: timestamp("last_event_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("connector_calls_provider_call_idx").on(t.provider, t.providerCallId),
    // Not ended yet (running, or refused and not yet seen ending): what the ticker meters, hangs up and looks up.
    index("connector_calls_open_idx").on(t.lastEventAt).where(sql`${t.endedAt} is null`),
    check("connector_calls_provider_check", sql`${t.provider} in ('twilio', 'vapi', 'retell')`),
    check("connector_calls_status_check", sql`${t.status} in ('started', 'answered', 'ended', 'refused')`),
    check("connector_calls_duration_check", sql`${t.providerDurationSeconds} >= 0`),
  ],
);

/** Every provider event taken once: a duplicate or a retry finds its key and changes nothing. */
export const connectorEvents = pgTable(
  "connector_events",
  {
    provider: text("provider").notNull(),
    eventKey: text("event_key").notNull(),
    callId: text("call_id").notNull(),
    outcome: text("outcome").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventKey] })],
);

/** The outbox: written in the transaction of the change it reports; read as the in-app feed. */
export const notifications = pgTable(
  "notifications",
  {
    seq: bigint("seq", { mode: "bigint" }).generatedAlwaysAsIdentity(),
    id: text("id").primaryKey(),
    // Whose feed it is in; subject_account_id is the account it is about (differs for an
    // agency's copy of its subaccount's failure).
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    subjectAccountId: text("subject_account_id")
      .notNull()
      .references(() => accounts.id),
    type: text("type").notNull(),
    message: text("message").notNull(),
    data: jsonb("data").notNull(),
    createdAt: createdAt(),
    readAt: timestamp("read_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("notifications_account_seq_idx").on(t.accountId, t.seq.desc())],
);

/** The sandbox provider's own records ("its side" of the card network), keyed like Stripe's. */
export const sandboxCards = pgTable("sandbox_cards", {
  token: text("token").primaryKey(),
  behaviour: text("behaviour").notNull(),
  createdAt: createdAt(),
});

/**
 * Refunds of succeeded charges (docs/concepts.md): asked of the provider by the worker under the
 * refund's id as idempotency key, then a `refund` entry keyed by the provider's refund id.
 */
export const refunds = pgTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    rechargeId: text("recharge_id")
      .notNull()
      .references(() => recharges.id),
    amountMicros: micros("amount_micros").notNull(),
    reason: text("reason").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed"] }).notNull().default("pending"),
    providerRefundId: text("provider_refund_id").unique("refunds_provider_refund_id_key"),
    // What it took off the balance once settled: its amount, or less when a dispute had taken that money already.
    reversedMicros: micros("reversed_micros"),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    attempts: integer("attempts").notNull().default(0),
    // When the worker takes it next; a claim moves it past the provider's timeout (the lease).
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    createdAt: createdAt(),
    settledAt: timestamp("settled_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    check("refunds_status_check", sql`${t.status} in ('pending', 'succeeded', 'failed')`),
    check("refunds_amount_check", sql`${t.amountMicros} > 0`),
    index("refunds_recharge_idx").on(t.rechargeId),
    index("refunds_account_created_idx").on(t.accountId, t.createdAt.desc(), t.id.desc()),
    index("refunds_pending_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/**
 * Consent to automatic charges (docs/concepts.md, Consent): the sentence the customer agreed to,
 * who attested it (the session the page ran in, or the API key that sent it) and from where,
 * written in the transaction of the settings change it covers. Append-only (migration 0025).
 */
export const consents = pgTable(
  "consents",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    text: text("text").notNull(),
    actorType: text("actor_type", { enum: ["api_key", "session", "operator"] }).notNull(),
    actorId: text("actor_id").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    // What the sentence covered, as saved: enabled, threshold, amount, mode, target, monthly limit, card, backup card.
    terms: jsonb("terms").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check("consents_actor_check", sql`${t.actorType} in ('api_key', 'session', 'operator')`),
    index("consents_account_idx").on(t.accountId, t.createdAt.desc(), t.id.desc()),
  ],
);

/** Disputes (chargebacks) of succeeded charges: what each took off the balance, and how it ended. */
export const disputes = pgTable(
  "disputes",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    rechargeId: text("recharge_id")
      .notNull()
      .references(() => recharges.id),
    providerDisputeId: text("provider_dispute_id").notNull().unique("disputes_provider_dispute_id_key"),
    amountMicros: micros("amount_micros").notNull(),
    reversedMicros: micros("reversed_micros").notNull(),
    // What a win gave back (null until won): what it took, less refunds paid out while it was open.
    returnedMicros: micros("returned_micros"),
    status: text("status", { enum: ["open", "won", "lost"] }).notNull().default("open"),
    createdAt: createdAt(),
    closedAt: timestamp("closed_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    check("disputes_status_check", sql`${t.status} in ('open', 'won', 'lost')`),
    check("disputes_amount_check", sql`${t.amountMicros} > 0 and ${t.reversedMicros} >= 0 and ${t.reversedMicros} <= ${t.amountMicros}`),
    check(
      "disputes_returned_check",
      sql`(${t.status} = 'won') = (${t.returnedMicros} is not null) and (${t.returnedMicros} is null or (${t.returnedMicros} >= 0 and ${t.returnedMicros} <= ${t.reversedMicros}))`,
    ),
    index("disputes_recharge_idx").on(t.rechargeId),
    // Open disputes per account: read whenever a wallet's Auto-Recharge is decided or shown.
    index("disputes_open_account_idx").on(t.accountId).where(sql`${t.status} = 'open'`),
  ],
);

/**
 * Credit an operator gave (docs/concepts.md): spent before paid credit, soonest-expiring first; at
 * `expires_at` what is left leaves as one `grant_expiry` entry (`expired_micros`).
 */
export const creditGrants = pgTable(
  "credit_grants",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    category: text("category", { enum: ["promotional", "compensation"] }).notNull(),
    amountMicros: micros("amount_micros").notNull(),
    remainingMicros: micros("remaining_micros").notNull(),
    reason: text("reason").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
    expiredMicros: micros("expired_micros"),
    expiredAt: timestamp("expired_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [
    check("credit_grants_category_check", sql`${t.category} in ('promotional', 'compensation')`),
    check("credit_grants_amount_check", sql`${t.amountMicros} > 0 and ${t.remainingMicros} >= 0 and ${t.remainingMicros} <= ${t.amountMicros}`),
    check("credit_grants_expired_check", sql`(${t.expiredAt} is null) = (${t.expiredMicros} is null) and (${t.expiredAt} is null or ${t.remainingMicros} = 0)`),
    index("credit_grants_account_idx").on(t.accountId, t.createdAt),
    index("credit_grants_due_idx").on(t.expiresAt).where(sql`${t.expiredAt} is null and ${t.expiresAt} is not null`),
  ],
);

/** What each usage entry took from which grant (no foreign key to the entry, like ledger_entries'). */
export const grantSpends = pgTable(
  "grant_spends",
  {
    entryId: text("entry_id").notNull(),
    grantId: text("grant_id")
      .notNull()
      .references(() => creditGrants.id),
    amountMicros: micros("amount_micros").notNull(),
  },
  (t) => [
    primaryKey({ name: "grant_spends_pkey", columns: [t.entryId, t.grantId] }),
    check("grant_spends_amount_check", sql`${t.amountMicros} > 0`),
    index("grant_spends_grant_idx").on(t.grantId),
  ],
);

/** The last receipt number each operator issued (docs/concepts.md): the next is one more, taken under this row's lock. */
export const receiptCounters = pgTable(
  "receipt_counters",
  {
    operator: text("operator").primaryKey(),
    lastNumber: bigint("last_number", { mode: "bigint" }).notNull(),
  },
  (t) => [check("receipt_counters_number_check", sql`${t.lastNumber} >= 0`)],
);

/** A numbered receipt per succeeded charge, as of its settlement (card and balance then). */
export const receipts = pgTable(
  "receipts",
  {
    operator: text("operator").notNull(),
    number: bigint("number", { mode: "bigint" }).notNull(),
    rechargeId: text("recharge_id")
      .notNull()
      .references(() => recharges.id)
      .unique("receipts_recharge_id_key"),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    amountMicros: micros("amount_micros").notNull(),
    balanceAfterMicros: micros("balance_after_micros").notNull(),
    cardBrand: text("card_brand"),
    cardLast4: text("card_last4"),
    issuedAt: timestamp("issued_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "receipts_pkey", columns: [t.operator, t.number] }),
    check("receipts_number_check", sql`${t.number} > 0 and ${t.amountMicros} > 0`),
  ],
);

/** Provider events waiting for what they are about (a charge not settled yet, a dispute not opened yet). */
export const parkedProviderEvents = pgTable(
  "parked_provider_events",
  {
    eventId: text("event_id").primaryKey(),
    waitsFor: text("waits_for").notNull(),
    event: jsonb("event").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("parked_provider_events_waits_for_idx").on(t.waitsFor, t.createdAt)],
);

/** The sandbox provider's disputes (test card 0259), delivered to billing by polling. */
export const sandboxDisputes = pgTable(
  "sandbox_disputes",
  {
    disputeId: text("dispute_id").primaryKey(),
    chargeId: text("charge_id").notNull(),
    amountMicros: micros("amount_micros").notNull(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [index("sandbox_disputes_undelivered_idx").on(t.createdAt).where(sql`${t.deliveredAt} is null`)],
);

/** The sandbox provider's refund records, keyed like its charges. */
export const sandboxRefunds = pgTable("sandbox_refunds", {
  idempotencyKey: text("idempotency_key").primaryKey(),
  refundId: text("refund_id").notNull().unique(),
  chargeId: text("charge_id").notNull(),
  amountMicros: micros("amount_micros").notNull(),
  createdAt: createdAt(),
});

export const sandboxCharges = pgTable("sandbox_charges", {
  idempotencyKey: text("idempotency_key").primaryKey(),
  chargeId: text("charge_id").notNull(),
  cardToken: text("card_token").notNull(),
  amountMicros: micros("amount_micros").notNull(),
  status: text("status", { enum: ["succeeded", "failed"] }).notNull(),
  failureCode: text("failure_code"),
  attempts: integer("attempts").notNull().default(1),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** The Stripe customer of each account (created on its first saved card; Stripe's idempotency keys last only 24 h). */
export const stripeCustomers = pgTable("stripe_customers", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id),
  customerId: text("customer_id").notNull().unique(),
  createdAt: createdAt(),
});

/** Every Stripe webhook event handled, by its id: a replayed event is recognised and changes nothing. */
export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  /** What handling it did (settled, ignored: why), for the operator reading the table. */
  outcome: text("outcome").notNull(),
  createdAt: createdAt(),
});

/** An account's HTTPS endpoint for notification events, signed with its own secret. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    url: text("url").notNull(),
    /**
     * HMAC-SHA256 key for the Prepaid-Signature header, shown to the owner once, at creation;
     * kept sealed under the server secret (src/secrets), never in the clear.
     */
    secret: text("secret").notNull(),
    /** Event types sent; null = all. */
    events: text("events").array(),
    createdAt: createdAt(),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("webhook_endpoints_account_idx").on(t.accountId)],
);

/**
 * One notification to deliver on one channel (a webhook endpoint, or an email address),
 * written with the notification in its transaction; the delivery worker sends it, retrying
 * with backoff, and this row is the delivery log.
 */
export const deliveries = pgTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    notificationId: text("notification_id")
      .notNull()
      .references(() => notifications.id),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    channel: text("channel", { enum: ["webhook", "email"] }).notNull(),
    endpointId: text("endpoint_id").references(() => webhookEndpoints.id),
    /** The URL or the email address, as it was when the notification was written. */
    target: text("target").notNull(),
    status: text("status", { enum: ["pending", "delivered", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    // A claimed delivery's next_attempt_at is pushed past its send timeout: one that a dead
    // process was sending comes due again by itself (at least once; receivers dedupe by event id).
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    // Set while a try is in flight (until it is recorded): the tries an endpoint has in flight
    // across processes are those with a lease not yet expired.
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true, mode: "date" }),
    lastError: text("last_error"),
    lastStatusCode: integer("last_status_code"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("deliveries_account_idx").on(t.accountId, t.createdAt.desc()),
    uniqueIndex("deliveries_once_idx").on(t.notificationId, t.channel, t.target),
    index("deliveries_in_flight_idx").on(t.endpointId).where(sql`${t.status} = 'pending' and ${t.leaseExpiresAt} is not null`),
  ],
);

/**
 * A Payments-page session opened by the platform for one of its users (docs/concepts.md): a one-time
 * code rides the link's fragment and is exchanged for a bearer token. Only HMACs of the code and
 * the token under the server secret are kept, never either in the clear.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    // Null for an operator session (the console's sign-in): it belongs to no account.
    accountId: text("account_id").references(() => accounts.id),
    role: text("role", { enum: ["owner", "viewer", "operator"] }).notNull(),
    // A link's one-time code; an operator session has none (its token is answered to the
    // operator key that asked for it).
    codeHmac: text("code_hmac"),
    /** The code works once, until this (60 s after the link was made). */
    codeExpiresAt: timestamp("code_expires_at", { withTimezone: true, mode: "date" }),
    codeUsedAt: timestamp("code_used_at", { withTimezone: true, mode: "date" }),
    /** Set by the exchange; null until then. */
    tokenHmac: text("token_hmac"),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
    /** Where the expired-session screen sends the user back to, when the platform gave one. */
    returnUrl: text("return_url"),
    createdAt: createdAt(),
  },
  (t) => [
    check("sessions_role_check", sql`${t.role} in ('owner', 'viewer', 'operator')`),
    check("sessions_operator_check", sql`(${t.role} = 'operator') = (${t.accountId} is null)`),
    check("sessions_code_check", sql`${t.role} = 'operator' or (${t.codeHmac} is not null and ${t.codeExpiresAt} is not null)`),
    uniqueIndex("sessions_code_idx").on(t.codeHmac),
    uniqueIndex("sessions_token_idx").on(t.tokenHmac),
    index("sessions_account_idx").on(t.accountId),
  ],
);

/** How an account's pages look inside its platform; a subaccount without its own shows its agency's. */
export const accountBranding = pgTable("account_branding", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id),
  displayName: text("display_name"),
  logoUrl: text("logo_url"),
  accentColor: text("accent_color"),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/**
 * Who changed what (docs/concepts.md): one row per change, written in the change's transaction, never
 * updated or deleted (a trigger refuses both, as for the ledger).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    action: text("action").notNull(),
    actorType: text("actor_type", { enum: ["api_key", "session", "operator"] }).notNull(),
    actorId: text("actor_id").notNull(),
    requestId: text("request_id").notNull(),
    /** `{field: [before, after]}`; amounts as decimal strings, never numbers. */
    changes: jsonb("changes").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check("audit_log_actor_check", sql`${t.actorType} in ('api_key', 'session', 'operator')`),
    index("audit_log_account_idx").on(t.accountId, t.createdAt.desc(), t.id.desc()),
    // The operator's log across accounts (GET /v1/audit-log), newest first.
    index("audit_log_created_idx").on(t.createdAt.desc(), t.id.desc()),
  ],
);

/** Balance alert levels (docs/concepts.md): `[{below: "20.00"} | {below_minutes: "60"}]`, at most 5. */
export const balanceAlerts = pgTable("balance_alerts", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id),
  levels: jsonb("levels").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/**
 * A monthly fee on an account (docs/plans.md): debited at each period's start, period k
 * starting k calendar months after `anchorAt`. `periodsCharged` is the next period to charge;
 * its start is `nextPeriodAt`. Each charge's ledger key is `fee:<id>:<period>`, so a period is
 * charged once whatever runs it. An agency's fee on its subaccount credits the agency
 * `marginMicros` of each charge.
 */
export const recurringFees = pgTable(
  "recurring_fees",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    name: text("name").notNull(),
    amountMicros: micros("amount_micros").notNull(),
    interval: text("interval", { enum: ["month"] }).notNull(),
    marginAccountId: text("margin_account_id").references(() => accounts.id),
    marginMicros: micros("margin_micros"),
    /** The plan whose monthly fee this is (stopped when the account leaves the plan). */
    pricePlanId: text("price_plan_id").references(() => pricePlans.id),
    anchorAt: timestamp("anchor_at", { withTimezone: true, mode: "date" }).notNull(),
    periodsCharged: integer("periods_charged").notNull().default(0),
    nextPeriodAt: timestamp("next_period_at", { withTimezone: true, mode: "date" }).notNull(),
    stoppedAt: timestamp("stopped_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [
    check("recurring_fees_amount_check", sql`${t.amountMicros} > 0`),
    check("recurring_fees_interval_check", sql`${t.interval} in ('month')`),
    check("recurring_fees_margin_check", sql`(${t.marginAccountId} is null) = (${t.marginMicros} is null) and (${t.marginMicros} is null or ${t.marginMicros} between 0 and ${t.amountMicros})`),
    check("recurring_fees_periods_check", sql`${t.periodsCharged} >= 0`),
    index("recurring_fees_account_idx").on(t.accountId, t.createdAt),
    // The worker's read: fees whose next period has begun. Partial: a stopped fee whose next
    // period starts after its stop owes nothing more and leaves the index, so the read never
    // scans the stopped fees of years past.
    index("recurring_fees_due_idx").on(t.nextPeriodAt).where(sql`${t.stoppedAt} is null or ${t.nextPeriodAt} < ${t.stoppedAt}`),
  ],
);
