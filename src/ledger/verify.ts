import { sql } from "drizzle-orm";
import { queryRows, type Database } from "../db/database.js";

export interface Violation {
  check: string;
  accountId: string | null;
  detail: string;
}

/**
 * Checks the ledger invariants over the whole database and returns every violation found
 * (an empty list means healthy). Read-only: it repairs nothing.
 */
export async function verifyLedger(db: Database): Promise<Violation[]> {
  const violations: Violation[] = [];

  const balances = await queryRows<{ account_id: string; balance_micros: bigint; sum_micros: bigint }>(
    db,
    sql`select w.account_id, w.balance_micros, coalesce(e.sum_micros, 0)::bigint as sum_micros
        from wallets w
        left join (select account_id, sum(amount_micros) as sum_micros from ledger_entries group by account_id) e
          on e.account_id = w.account_id
        where w.balance_micros <> coalesce(e.sum_micros, 0)
        order by w.account_id`,
  );
  for (const row of balances) {
    violations.push({
      check: "balance_equals_entries",
      accountId: row.account_id,
      detail: `cached balance ${row.balance_micros} µUSD but entries sum to ${row.sum_micros} µUSD`,
    });
  }

  // Entries on one wallet are serialised by its row lock, so in seq order each
  // balance_after is the running sum of the amounts.
  const chains = await queryRows<{ account_id: string; id: string; balance_after_micros: bigint; running_micros: bigint }>(
    db,
    sql`select account_id, id, balance_after_micros, running_micros from (
          select account_id, id, balance_after_micros,
                 sum(amount_micros) over (partition by account_id order by seq) as running_micros
          from ledger_entries) t
        where balance_after_micros <> running_micros
        order by account_id limit 100`,
  );
  for (const row of chains) {
    violations.push({
      check: "balance_after_is_running_sum",
      accountId: row.account_id,
      detail: `entry ${row.id} says balance_after ${row.balance_after_micros} µUSD, running sum is ${row.running_micros} µUSD`,
    });
  }

  const orphans = await queryRows<{ account_id: string }>(
    db,
    sql`select distinct e.account_id from ledger_entries e left join wallets w on w.account_id = e.account_id
        where w.account_id is null`,
  );
  for (const row of orphans) {
    violations.push({ check: "entries_have_wallet", accountId: row.account_id, detail: "entries without a wallet" });
  }

  const duplicates = await queryRows<{ entry_key: string; account_id: string; n: bigint }>(
    db,
    sql`select entry_key, min(account_id) as account_id, count(*) as n from ledger_entries
        group by entry_key having count(*) > 1 limit 100`,
  );
  for (const row of duplicates) {
    violations.push({
      check: "entry_keys_unique",
      accountId: row.account_id,
      detail: `entry key ${row.entry_key} applied ${row.n} times`,
    });
  }

  // Each succeeded recharge credited exactly once, for its amount; each recharge credit backed
  // by a succeeded recharge.
  const credits = await queryRows<{ account_id: string; id: string; status: string | null; credits: bigint; credited_micros: bigint | null; amount_micros: bigint | null }>(
    db,
    sql`select coalesce(r.account_id, e.account_id) as account_id, coalesce(r.id, e.recharge_id) as id, r.status,
               count(e.id) as credits, sum(e.amount_micros)::bigint as credited_micros, r.amount_micros
        from recharges r
        full join (select * from ledger_entries where type = 'recharge') e on e.recharge_id = r.id
        where r.status = 'succeeded' or e.id is not null
        group by 1, 2, 3, r.amount_micros
        having r.status is distinct from 'succeeded' or count(e.id) <> 1 or sum(e.amount_micros) <> r.amount_micros
        limit 100`,
  );
  for (const row of credits) {
    violations.push({
      check: "recharge_credited_once",
      accountId: row.account_id,
      detail: `recharge ${row.id} (${row.status ?? "missing"}) has ${row.credits} credit(s) totalling ${row.credited_micros ?? 0n} µUSD`,
    });
  }

  // No automatic recharge created while Auto-Recharge was off.
  const afterDisable = await queryRows<{ account_id: string; id: string }>(
    db,
    sql`select r.account_id, r.id from recharges r join auto_recharge_settings s on s.account_id = r.account_id
        where not s.enabled and r.trigger <> 'manual' and r.created_at > s.disabled_at limit 100`,
  );
  for (const row of afterDisable) {
    violations.push({ check: "no_auto_recharge_when_disabled", accountId: row.account_id, detail: `recharge ${row.id} was created after Auto-Recharge was turned off` });
  }

  // The database's partial unique index makes two in flight impossible; this proves it held.
  const inFlight = await queryRows<{ account_id: string; n: bigint }>(
    db,
    sql`select account_id, count(*) as n from recharges where status in ('pending', 'processing') group by account_id having count(*) > 1`,
  );
  for (const row of inFlight) {
    violations.push({ check: "one_recharge_in_flight", accountId: row.account_id, detail: `${row.n} recharges in flight` });
  }

  // With the sandbox provider, its records must agree with ours: every charge it took for a
  // recharge we settled as succeeded, and none for one we settled as failed. (Stripe's records
  // are at Stripe: this offline check cannot read them; the Stripe tests compare them.)
  const provider = await queryRows<{ account_id: string; id: string; status: string; provider_status: string | null }>(
    db,
    sql`select r.account_id, r.id, r.status, c.status as provider_status
        from recharges r join payment_methods pm on pm.id = r.payment_method_id and pm.provider = 'sandbox'
          left join sandbox_charges c on c.idempotency_key = r.id
        where (r.status = 'succeeded' and c.status is distinct from 'succeeded')
           or (r.status = 'failed' and c.status = 'succeeded')
        limit 100`,
  );
  for (const row of provider) {
    violations.push({
      check: "provider_agrees",
      accountId: row.account_id,
      detail: `recharge ${row.id} is ${row.status} but the provider's charge is ${row.provider_status ?? "missing"}`,
    });
  }

  // 'O' = enabled in origin mode; 'D' = disabled; a missing row = dropped. The ledger's own
  // guards: append-only, and (in place of a foreign key) every entry's wallet exists and stays.
  const triggers = await queryRows<{ tgname: string; tgenabled: string }>(
    db,
    sql`select tgname, tgenabled::text as tgenabled from pg_trigger
        where tgrelid in ('ledger_entries'::regclass, 'wallets'::regclass) and not tgisinternal`,
  );
  const guards = [
    { check: "append_only_trigger", name: "ledger_entries_append_only" },
    { check: "append_only_trigger", name: "ledger_entries_no_truncate" },
    { check: "wallet_guard_trigger", name: "ledger_entries_wallet_exists" },
    { check: "wallet_guard_trigger", name: "wallets_no_delete" },
    { check: "wallet_guard_trigger", name: "wallets_no_truncate" },
  ];
  for (const { check, name } of guards) {
    const trigger = triggers.find((t) => t.tgname === name);
    if (!trigger || trigger.tgenabled === "D") {
      violations.push({ check, accountId: null, detail: `trigger ${name} is ${trigger ? "disabled" : "missing"}` });
    }
  }
  return violations;
}
