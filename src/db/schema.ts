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
    createdAt: createdAt(),
  },
  (t) => [
    check("accounts_type_check", sql`${t.type} in ('user', 'agency', 'subaccount')`),
    check("accounts_status_check", sql`${t.status} in ('active', 'paused')`),
    // A subaccount belongs to exactly one agency; nothing else has a parent.
    check("accounts_parent_check", sql`(${t.type} = 'subaccount') = (${t.parentId} is not null)`),
    index("accounts_parent_idx").on(t.parentId),
  ],
);

/** The cached balance: one small hot row per account, so debits never touch `accounts`. */
export const wallets = pgTable("wallets", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id),
  balanceMicros: micros("balance_micros").notNull().default(sql`0`),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    // Insertion order, for stable newest-first paging (ids are random).
    seq: bigint("seq", { mode: "bigint" }).generatedAlwaysAsIdentity(),
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    type: text("type", { enum: ["usage", "recharge", "adjustment"] }).notNull(),
    amountMicros: micros("amount_micros").notNull(),
    balanceAfterMicros: micros("balance_after_micros").notNull(),
    // The cause's own key (a call's billed-up-to mark, a recharge id, an adjustment's
    // idempotency key): the unique index makes applying the same cause twice impossible.
    entryKey: text("entry_key").notNull().unique("ledger_entries_entry_key_key"),
    callId: text("call_id"),
    rechargeId: text("recharge_id"),
    reason: text("reason"),
    createdAt: createdAt(),
  },
  (t) => [
    check("ledger_entries_type_check", sql`${t.type} in ('usage', 'recharge', 'adjustment')`),
    check("ledger_entries_amount_check", sql`${t.amountMicros} <> 0`),
    index("ledger_entries_account_seq_idx").on(t.accountId, t.seq.desc()),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    // Null for operator (admin) keys.
    accountId: text("account_id").references(() => accounts.id),
    role: text("role", { enum: ["account", "admin"] }).notNull(),
    // The first 12 characters of the key, to find the row without storing the key.
    prefix: text("prefix").notNull(),
    sha256Hex: text("sha256_hex").notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    check("api_keys_role_check", sql`(${t.role} = 'admin') = (${t.accountId} is null)`),
    index("api_keys_prefix_idx").on(t.prefix),
  ],
);

/** Stored responses of POSTs sent with an Idempotency-Key, written in the request's own transaction. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    principal: text("principal").notNull(),
    key: text("key").notNull(),
    requestSha256Hex: text("request_sha256_hex").notNull(),
    statusCode: integer("status_code").notNull(),
    responseBody: jsonb("response_body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] })],
);
