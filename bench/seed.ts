import { sql } from "drizzle-orm";
import type { Database } from "../src/db/database.js";

/** Enough credit that no benchmark run empties a wallet: $1 000 000 000. */
const OPENING_MICROS = 1_000_000_000_000_000n;

/**
 * Creates `accounts` wallets named `acct_<prefix><n>` with `calls` started calls spread over
 * them (`call_<prefix><n>`, $0.18/min), straight in SQL: setting up thousands of wallets over
 * HTTP would take longer than the measurement. Each wallet gets a real opening ledger entry,
 * so `verify` holds afterwards.
 */
export async function seedWallets(db: Database, prefix: string, accounts: number, calls: number, openingMicros = OPENING_MICROS): Promise<void> {
  await db.execute(sql`insert into accounts (id, name, type) select 'acct_' || ${prefix} || g, 'bench', 'user' from generate_series(1, ${accounts}) g`);
  await db.execute(sql`insert into wallets (account_id, balance_micros) select 'acct_' || ${prefix} || g, ${openingMicros} from generate_series(1, ${accounts}) g`);
  await db.execute(
    sql`insert into ledger_entries (id, account_id, type, amount_micros, balance_after_micros, entry_key, reason)
        select 'txn_open_' || ${prefix} || g, 'acct_' || ${prefix} || g, 'adjustment', ${openingMicros}, ${openingMicros},
               'bench-open:' || ${prefix} || g, 'bench opening credit'
        from generate_series(1, ${accounts}) g`,
  );
  await db.execute(
    sql`insert into calls (id, account_id, rate_per_minute_micros)
        select 'call_' || ${prefix} || g, 'acct_' || ${prefix} || ((g - 1) % ${accounts} + 1), 180000
        from generate_series(1, ${calls}) g`,
  );
  // The wallets' running-call sums (migration 0015) count these calls, so `verify` holds.
  await db.execute(
    sql`update wallets w set active_calls = c.n, active_rate_micros = c.rate
        from (select account_id, count(*)::int as n, sum(rate_per_minute_micros)::bigint as rate from calls
              where account_id like 'acct_' || ${prefix} || '%' and status = 'active' group by account_id) c
        where w.account_id = c.account_id`,
  );
}

/** Gives each of a prefix's wallets a sandbox Visa and Auto-Recharge: $50 below $10. */
export async function enableAutoRecharge(db: Database, prefix: string, accounts: number): Promise<void> {
  await db.execute(sql`insert into sandbox_cards (token, behaviour) select 'tok_' || ${prefix} || g, 'succeed' from generate_series(1, ${accounts}) g`);
  await db.execute(
    sql`insert into payment_methods (id, account_id, provider, provider_ref, brand, last4, exp_month, exp_year, is_default)
        select 'pm_' || ${prefix} || g, 'acct_' || ${prefix} || g, 'sandbox', 'tok_' || ${prefix} || g, 'visa', '4242', 12, 2034, true
        from generate_series(1, ${accounts}) g`,
  );
  await db.execute(
    sql`insert into auto_recharge_settings (account_id, enabled, threshold_micros, amount_micros)
        select 'acct_' || ${prefix} || g, true, 10000000, 50000000 from generate_series(1, ${accounts}) g`,
  );
}

/**
 * Gives every `every`-th wallet of a prefix two grants (docs/concepts.md), so the usage writer's
 * grant path runs on those wallets: one that expires in a year and one that never does, each
 * large enough that no run spends it, with their `grant` entries so `verify` holds.
 */
export async function seedGrants(db: Database, prefix: string, accounts: number, every: number): Promise<void> {
  const each = OPENING_MICROS / 2n;
  await db.execute(
    sql`insert into credit_grants (id, account_id, category, amount_micros, remaining_micros, reason, expires_at)
        select 'grt_' || ${prefix} || g || '_' || k, 'acct_' || ${prefix} || g, 'promotional', ${each}, ${each}, 'bench',
               case when k = 1 then now() + interval '1 year' end
        from generate_series(1, ${accounts}) g, generate_series(1, 2) k where g % ${every} = 0`,
  );
  await db.execute(
    sql`insert into ledger_entries (id, account_id, type, amount_micros, balance_after_micros, entry_key, reason)
        select 'txn_' || id, account_id, 'grant', amount_micros,
               ${OPENING_MICROS} + amount_micros * row_number() over (partition by account_id order by id), 'grant:' || id, 'bench'
        from credit_grants where account_id like 'acct_' || ${prefix} || '%'`,
  );
  await db.execute(
    sql`update wallets w set balance_micros = w.balance_micros + g.total, granted_micros = g.total
        from (select account_id, sum(amount_micros)::bigint as total from credit_grants where account_id like 'acct_' || ${prefix} || '%' group by account_id) g
        where w.account_id = g.account_id`,
  );
}

/**
 * Puts every other wallet of a prefix (the even ones) under one of `agencies` agencies that
 * resell at $0.25 / $0.30 a minute (docs/plans.md): the accounts become subaccounts, and their
 * started calls are priced as a call started now would be — $0.30 without the widget, $0.12 a
 * minute of it the agency's margin over its default $0.18. The agencies are
 * `acct_<prefix>agency<n>`, with empty wallets.
 */
export async function seedRebilled(db: Database, prefix: string, accounts: number, agencies: number): Promise<void> {
  await db.execute(
    sql`insert into accounts (id, name, type, resale_web_widget_rate_micros, resale_default_rate_micros)
        select 'acct_' || ${prefix} || 'agency' || g, 'bench agency', 'agency', 250000, 300000 from generate_series(1, ${agencies}) g`,
  );
  await db.execute(sql`insert into wallets (account_id, balance_micros) select 'acct_' || ${prefix} || 'agency' || g, 0 from generate_series(1, ${agencies}) g`);
  await db.execute(
    sql`update accounts a set type = 'subaccount', parent_id = 'acct_' || ${prefix} || 'agency' || ((x.n / 2) % ${agencies} + 1)
        from (select id, substring(id from ${`^acct_${prefix}([0-9]+)$`})::int as n from accounts) x
        where x.id = a.id and x.n is not null and x.n % 2 = 0 and x.n <= ${accounts}`,
  );
  await db.execute(
    sql`update calls c set rate_per_minute_micros = 300000, margin_account_id = a.parent_id, margin_rate_per_minute_micros = 120000
        from accounts a where a.id = c.account_id and a.parent_id is not null and c.id like 'call_' || ${prefix} || '%'`,
  );
  await db.execute(
    sql`update wallets w set active_rate_micros = c.rate
        from (select account_id, sum(rate_per_minute_micros)::bigint as rate from calls
              where account_id like 'acct_' || ${prefix} || '%' and status = 'active' group by account_id) c
        where w.account_id = c.account_id`,
  );
}
