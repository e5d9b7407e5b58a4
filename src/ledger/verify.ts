import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Database } from "../db/database.js";

export interface Violation {
  check: string;
  accountId: string | null;
  detail: string;
}

/** One invariant: a query for the rows that break it, and how to say what is wrong with one. */
interface Check {
  check: string;
  query: SQL;
  detail(row: Record<string, unknown>): string;
}

const check = <R>(name: string, query: SQL, detail: (row: R) => string): Check => ({
  check: name,
  query,
  detail: detail as (row: Record<string, unknown>) => string,
});

type Row<T> = T & { account_id: string };

const CHECKS: Check[] = [
  check<Row<{ balance_micros: bigint; sum_micros: bigint }>>(
    "balance_equals_entries",
    sql`select w.account_id, w.balance_micros, coalesce(e.sum_micros, 0)::bigint as sum_micros
        from wallets w
        left join (select account_id, sum(amount_micros) as sum_micros from ledger_entries group by account_id) e
          on e.account_id = w.account_id
        where w.balance_micros <> coalesce(e.sum_micros, 0)
        order by w.account_id`,
    (r) => `cached balance ${r.balance_micros} µUSD but entries sum to ${r.sum_micros} µUSD`,
  ),
  // Entries on one wallet are serialised by its row lock, so in seq order each balance_after
  // is the running sum of the amounts.
  check<Row<{ id: string; balance_after_micros: bigint; running_micros: bigint }>>(
    "balance_after_is_running_sum",
    sql`select account_id, id, balance_after_micros, running_micros from (
          select account_id, id, balance_after_micros,
                 sum(amount_micros) over (partition by account_id order by seq) as running_micros
          from ledger_entries) t
        where balance_after_micros <> running_micros
        order by account_id limit 100`,
    (r) => `entry ${r.id} says balance_after ${r.balance_after_micros} µUSD, running sum is ${r.running_micros} µUSD`,
  ),
  check<Row<object>>(
    "entries_have_wallet",
    sql`select distinct e.account_id from ledger_entries e left join wallets w on w.account_id = e.account_id
        where w.account_id is null`,
    () => "entries without a wallet",
  ),
  check<Row<{ entry_key: string; n: bigint }>>(
    "entry_keys_unique",
    sql`select entry_key, min(account_id) as account_id, count(*) as n from ledger_entries
        group by entry_key having count(*) > 1 limit 100`,
    (r) => `entry key ${r.entry_key} applied ${r.n} times`,
  ),
  // Each succeeded recharge credited exactly once, for its amount; each recharge credit backed
  // by a succeeded recharge.
  check<Row<{ id: string; status: string | null; credits: bigint; credited_micros: bigint | null }>>(
    "recharge_credited_once",
    sql`select coalesce(r.account_id, e.account_id) as account_id, coalesce(r.id, e.recharge_id) as id, r.status,
               count(e.id) as credits, sum(e.amount_micros)::bigint as credited_micros, r.amount_micros
        from recharges r
        full join (select * from ledger_entries where type = 'recharge') e on e.recharge_id = r.id
        where r.status = 'succeeded' or e.id is not null
        group by 1, 2, 3, r.amount_micros
        having r.status is distinct from 'succeeded' or count(e.id) <> 1 or sum(e.amount_micros) <> r.amount_micros
        limit 100`,
    (r) => `recharge ${r.id} (${r.status ?? "missing"}) has ${r.credits} credit(s) totalling ${r.credited_micros ?? 0n} µUSD`,
  ),
  // Each succeeded refund took what it reversed off the balance exactly once (its entry is keyed
  // by the provider's refund id; none when a dispute had taken that money already), and every
  // refund entry is a succeeded refund's.
  check<Row<{ id: string; status: string | null; entries: bigint; debited_micros: bigint | null }>>(
    "refund_reversed_once",
    sql`select coalesce(f.account_id, e.account_id) as account_id, coalesce(f.id, e.entry_key) as id, f.status,
               count(e.id) as entries, -sum(e.amount_micros)::bigint as debited_micros
        from refunds f
        full join (select * from ledger_entries where type = 'refund') e on e.entry_key = 'refund:' || f.provider_refund_id
        where f.status = 'succeeded' or e.id is not null
        group by 1, 2, 3, f.amount_micros, f.reversed_micros
        having f.status is distinct from 'succeeded'
            or count(e.id) <> (case when coalesce(f.reversed_micros, f.amount_micros) > 0 then 1 else 0 end)
            or coalesce(-sum(e.amount_micros), 0) <> coalesce(f.reversed_micros, f.amount_micros)
        limit 100`,
    (r) => `refund ${r.id} (${r.status ?? "no refund"}) has ${r.entries} entr${r.entries === 1n ? "y" : "ies"} taking ${r.debited_micros ?? 0n} µUSD`,
  ),
  // Each dispute took what it reversed once (`dispute:`), and if won gave back once what it
  // returned (`dispute_won:`; none when that is 0); every dispute entry is a dispute's.
  check<Row<{ id: string; status: string | null; taken: bigint; given: bigint; reversed: bigint | null; returned: bigint | null }>>(
    "dispute_reversed_once",
    sql`select * from (
          select d.account_id, d.id, d.status, d.reversed_micros as reversed, d.returned_micros as returned,
                 coalesce((select -sum(e.amount_micros) from ledger_entries e where e.entry_key = 'dispute:' || d.id), 0)::bigint as taken,
                 coalesce((select sum(e.amount_micros) from ledger_entries e where e.entry_key = 'dispute_won:' || d.id), 0)::bigint as given
          from disputes d) t
        where t.taken <> t.reversed or t.given <> (case when t.status = 'won' then t.returned else 0 end)
        union all
        select e.account_id, e.entry_key, null, null, null, 0, 0 from ledger_entries e
        where e.type = 'dispute' and not exists (select 1 from disputes d where e.entry_key in ('dispute:' || d.id, 'dispute_won:' || d.id))
        limit 100`,
    (r) => `dispute ${r.id} (${r.status ?? "no dispute"}) reversed ${r.reversed ?? 0n} µUSD and returned ${r.returned ?? 0n}; its entries took ${r.taken} and gave back ${r.given}`,
  ),
  // Once no dispute of a charge is open or lost, the balance has given up exactly what was
  // refunded to the card: refunds' own entries plus what won disputes kept back for refunds
  // that settled while they held the money. More is money lost to the user; less, money created.
  check<Row<{ id: string; refunded_micros: bigint; taken_micros: bigint }>>(
    "refunds_taken_once",
    sql`select * from (
          select r.account_id, r.id,
                 coalesce((select sum(f.amount_micros) from refunds f where f.recharge_id = r.id and f.status = 'succeeded'), 0)::bigint as refunded_micros,
                 (coalesce((select sum(coalesce(f.reversed_micros, f.amount_micros)) from refunds f where f.recharge_id = r.id and f.status = 'succeeded'), 0)
                  + coalesce((select sum(d.reversed_micros - d.returned_micros) from disputes d where d.recharge_id = r.id and d.status = 'won'), 0))::bigint as taken_micros
          from recharges r
          where exists (select 1 from disputes d where d.recharge_id = r.id)
            and not exists (select 1 from disputes d where d.recharge_id = r.id and d.status in ('open', 'lost'))) t
        where t.refunded_micros <> t.taken_micros
        limit 100`,
    (r) => `charge ${r.id}: ${r.refunded_micros} µUSD refunded to the card, but refunds and won disputes kept ${r.taken_micros} µUSD off the balance`,
  ),
  // Refunds never give back more than the charge (at the provider), and refunds and disputes
  // together never take more off the balance than the charge added.
  check<Row<{ id: string; amount_micros: bigint; refunded_micros: bigint; reversed_micros: bigint }>>(
    "reversals_within_charge",
    sql`select r.account_id, r.id, r.amount_micros,
               coalesce((select sum(f.amount_micros) from refunds f where f.recharge_id = r.id and f.status = 'succeeded'), 0)::bigint as refunded_micros,
               (coalesce((select sum(coalesce(f.reversed_micros, f.amount_micros)) from refunds f where f.recharge_id = r.id and f.status = 'succeeded'), 0)
                + coalesce((select sum(d.reversed_micros - coalesce(d.returned_micros, 0)) from disputes d where d.recharge_id = r.id), 0))::bigint as reversed_micros
        from recharges r
        where exists (select 1 from refunds f where f.recharge_id = r.id) or exists (select 1 from disputes d where d.recharge_id = r.id)
        group by r.account_id, r.id, r.amount_micros
        having coalesce((select sum(f.amount_micros) from refunds f where f.recharge_id = r.id and f.status = 'succeeded'), 0) > r.amount_micros
            or coalesce((select sum(coalesce(f.reversed_micros, f.amount_micros)) from refunds f where f.recharge_id = r.id and f.status = 'succeeded'), 0)
               + coalesce((select sum(d.reversed_micros - coalesce(d.returned_micros, 0)) from disputes d where d.recharge_id = r.id), 0) > r.amount_micros
        limit 100`,
    (r) => `charge ${r.id} of ${r.amount_micros} µUSD was refunded ${r.refunded_micros} µUSD; refunds and disputes took ${r.reversed_micros} µUSD off the balance`,
  ),
  // Rebilling (docs/plans.md): in each batch (a usage batch, a fee's period, a provider's
  // give-back), what the subaccounts' debits carry as margin is what their agency was credited
  // in that batch's rebilling_margin entry — debits = the platform's part + the agencies' margins —
  // and no margin entry lacks its debits.
  check<Row<{ batch_id: string; shares: bigint | null; credited: bigint | null }>>(
    "rebilling_batches_add_up",
    sql`select coalesce(d.agency_id, m.account_id) as account_id, coalesce(d.batch_id, m.batch_id) as batch_id, d.shares, m.credited
        from (select e.batch_id, a.parent_id as agency_id, sum(e.margin_micros)::bigint as shares
              from ledger_entries e join accounts a on a.id = e.account_id
              where e.margin_micros is not null group by e.batch_id, a.parent_id) d
        full join (select batch_id, account_id, sum(amount_micros)::bigint as credited
                   from ledger_entries where type = 'rebilling_margin' group by batch_id, account_id) m
          on m.batch_id = d.batch_id and m.account_id = d.agency_id
        where coalesce(d.shares, 0) <> coalesce(m.credited, 0) or (m.batch_id is not null and d.batch_id is null)
        order by 1 limit 100`,
    (r) => `batch ${r.batch_id}: its debits carry ${r.shares ?? 0} µUSD of margin, the agency was credited ${r.credited ?? 0} µUSD`,
  ),
  // A rebilled debit's margin part is within it: the platform's part is never negative.
  check<Row<{ id: string; amount_micros: bigint; margin_micros: bigint }>>(
    "rebilled_debit_covers_margin",
    sql`select account_id, id, amount_micros, margin_micros from ledger_entries
        where margin_micros is not null and (case when amount_micros < 0 then margin_micros < 0 or margin_micros > -amount_micros
                                                  else margin_micros > 0 or -margin_micros > amount_micros end)
        order by account_id limit 100`,
    (r) => `entry ${r.id} of ${r.amount_micros} µUSD carries ${r.margin_micros} µUSD of margin`,
  ),
  // Each rebilled call paid its agency exactly the margin of the seconds it was billed
  // (rounded down: the platform keeps the rounding), whatever the batches it was billed in.
  check<Row<{ id: string; billed_seconds: number; margin: bigint; expected: bigint }>>(
    "rebilled_call_margin_exact",
    sql`select c.account_id, c.id, c.billed_seconds, coalesce(e.margin, 0)::bigint as margin,
               (c.billed_seconds::bigint * c.margin_rate_per_minute_micros / 60)::bigint as expected
        from calls c
        left join (select call_id, sum(margin_micros) as margin from ledger_entries where call_id is not null and margin_micros is not null group by call_id) e
          on e.call_id = c.id
        where c.margin_account_id is not null and coalesce(e.margin, 0) <> c.billed_seconds::bigint * c.margin_rate_per_minute_micros / 60
        order by c.account_id limit 100`,
    (r) => `call ${r.id} billed ${r.billed_seconds} s paid ${r.margin} µUSD of margin, expected ${r.expected} µUSD`,
  ),
  // Each recurring fee charged each period it counts once: one fee entry per period, for its amount.
  check<Row<{ id: string; periods_charged: number; entries: bigint; wrong_amounts: bigint }>>(
    "fee_periods_charged_once",
    sql`select f.account_id, f.id, f.periods_charged, count(e.id)::bigint as entries,
               count(e.id) filter (where e.amount_micros <> -f.amount_micros or e.account_id <> f.account_id)::bigint as wrong_amounts
        from recurring_fees f
        left join ledger_entries e on e.type = 'fee' and e.entry_key like 'fee:' || f.id || ':%'
        group by f.account_id, f.id, f.periods_charged
        having count(e.id) <> f.periods_charged
            or count(e.id) filter (where e.amount_micros <> -f.amount_micros or e.account_id <> f.account_id) > 0
            or count(distinct e.entry_key) filter (where split_part(e.entry_key, ':', 3)::int >= f.periods_charged) > 0
        order by f.account_id limit 100`,
    (r) => `fee ${r.id} counts ${r.periods_charged} periods charged; ${r.entries} fee entries (${r.wrong_amounts} not its amount or account)`,
  ),
  // The wallet's sums over its running calls (kept with each start and end, read by every
  // start instead of a scan) are those calls' sums: a hold taken twice or never released shows.
  check<Row<{ held_micros: bigint; active_calls: number; active_rate_micros: bigint; held: bigint; n: bigint; rate: bigint }>>(
    "running_calls_sums",
    sql`select w.account_id, w.held_micros, w.active_calls, w.active_rate_micros,
               coalesce(c.held, 0)::bigint as held, coalesce(c.n, 0)::bigint as n, coalesce(c.rate, 0)::bigint as rate
        from wallets w
        left join (select account_id, sum(hold_micros) as held, count(*) as n, sum(rate_per_minute_micros) as rate
                   from calls where status = 'active' group by account_id) c on c.account_id = w.account_id
        where w.held_micros <> coalesce(c.held, 0) or w.active_calls <> coalesce(c.n, 0) or w.active_rate_micros <> coalesce(c.rate, 0)
        order by w.account_id limit 100`,
    (r) =>
      `wallet says ${r.active_calls} running calls holding ${r.held_micros} µUSD at ${r.active_rate_micros} µUSD/min; ` +
      `its calls: ${r.n} holding ${r.held} µUSD at ${r.rate} µUSD/min`,
  ),
  // The wallet's granted credit (read by every usage batch instead of its grants) is what its
  // grants not yet expired have left.
  check<Row<{ granted_micros: bigint; remaining_micros: bigint }>>(
    "granted_balance_is_grants",
    sql`select w.account_id, w.granted_micros, coalesce(g.remaining, 0)::bigint as remaining_micros
        from wallets w
        left join (select account_id, sum(remaining_micros) as remaining from credit_grants where expired_at is null group by account_id) g
          on g.account_id = w.account_id
        where w.granted_micros <> coalesce(g.remaining, 0)
        order by w.account_id limit 100`,
    (r) => `wallet says ${r.granted_micros} µUSD granted, its grants have ${r.remaining_micros} µUSD left`,
  ),
  // Each grant's amount is what usage spent of it, what its expiry took and what is left; it
  // was given by exactly one `grant` entry of its amount, and expired by at most one
  // `grant_expiry` entry of what it had left (none when nothing was).
  check<Row<{ id: string; amount_micros: bigint; spent_micros: bigint; remaining_micros: bigint; expired_micros: bigint | null; given: bigint; taken: bigint }>>(
    "grant_accounted",
    sql`select g.account_id, g.id, g.amount_micros, g.remaining_micros, g.expired_micros,
               coalesce((select sum(s.amount_micros) from grant_spends s where s.grant_id = g.id), 0)::bigint as spent_micros,
               coalesce((select sum(e.amount_micros) from ledger_entries e where e.entry_key = 'grant:' || g.id and e.type = 'grant'), 0)::bigint as given,
               coalesce((select -sum(e.amount_micros) from ledger_entries e where e.entry_key = 'grant_expiry:' || g.id and e.type = 'grant_expiry'), 0)::bigint as taken
        from credit_grants g
        where g.amount_micros <> g.remaining_micros + coalesce(g.expired_micros, 0)
                + coalesce((select sum(s.amount_micros) from grant_spends s where s.grant_id = g.id), 0)
           or g.amount_micros <> coalesce((select sum(e.amount_micros) from ledger_entries e where e.entry_key = 'grant:' || g.id and e.type = 'grant'), 0)
           or coalesce(g.expired_micros, 0) <> coalesce((select -sum(e.amount_micros) from ledger_entries e where e.entry_key = 'grant_expiry:' || g.id and e.type = 'grant_expiry'), 0)
        limit 100`,
    (r) =>
      `grant ${r.id} of ${r.amount_micros} µUSD: spent ${r.spent_micros}, expired ${r.expired_micros ?? 0n}, left ${r.remaining_micros}; ` +
      `its grant entry gave ${r.given} µUSD, its expiry entry took ${r.taken} µUSD`,
  ),
  // A grant is spent only by usage entries before its expiry, on its own account, and never
  // for more than the entry debited (the entry's created_at is the instant the writer compared).
  check<Row<{ entry_id: string; grant_id: string; problem: string }>>(
    "grant_spent_in_time",
    sql`select g.account_id, s.entry_id, s.grant_id,
               case when e.id is null then 'no such entry'
                    when e.type <> 'usage' or e.account_id <> g.account_id then 'not a usage entry of its account'
                    when g.expires_at is not null and e.created_at >= g.expires_at then 'spent at or after its expiry'
                    else 'more than the entry debited' end as problem
        from grant_spends s join credit_grants g on g.id = s.grant_id
        left join ledger_entries e on e.id = s.entry_id
        where e.id is null or e.type <> 'usage' or e.account_id <> g.account_id
           or (g.expires_at is not null and e.created_at >= g.expires_at)
           or -e.amount_micros < (select sum(s2.amount_micros) from grant_spends s2 where s2.entry_id = s.entry_id)
        limit 100`,
    (r) => `entry ${r.entry_id} spent grant ${r.grant_id}: ${r.problem}`,
  ),
  // Receipt numbers run 1, 2, 3 … per operator without a gap: the primary key makes each
  // number unique, so count = highest = the counter's last number proves none is missing.
  check<Row<{ operator: string; n: bigint; highest: bigint | null; last_number: bigint }>>(
    "receipt_numbers_gapless",
    sql`select null as account_id, c.operator, c.last_number, count(r.number)::bigint as n, max(r.number) as highest
        from receipt_counters c left join receipts r on r.operator = c.operator
        group by c.operator, c.last_number
        having count(r.number) <> c.last_number or coalesce(max(r.number), 0) <> c.last_number`,
    (r) => `operator "${r.operator}": counter at ${r.last_number}, ${r.n} receipts, highest number ${r.highest ?? 0n}`,
  ),
  // Each receipt is a succeeded charge's, for its amount and account (one per charge: unique).
  check<Row<{ recharge_id: string; status: string }>>(
    "receipt_matches_charge",
    sql`select rc.account_id, rc.recharge_id, r.status
        from receipts rc join recharges r on r.id = rc.recharge_id
        where r.status <> 'succeeded' or r.amount_micros <> rc.amount_micros or r.account_id <> rc.account_id
        limit 100`,
    (r) => `receipt of ${r.recharge_id} does not match its charge (${r.status})`,
  ),
  // Every succeeded charge has its receipt (issued in its settlement; charges from before
  // receipts existed get theirs when a worker starts).
  check<Row<{ id: string }>>(
    "receipt_for_every_charge",
    sql`select r.account_id, r.id from recharges r
        where r.status = 'succeeded' and not exists (select 1 from receipts rc where rc.recharge_id = r.id)
        limit 100`,
    (r) => `succeeded charge ${r.id} has no receipt`,
  ),
  // A provider's event parked for a charge or dispute waits only while that is missing: once it
  // is there, the event has been applied (in its transaction, or at a worker's start).
  check<Row<{ event_id: string; waits_for: string }>>(
    "nothing_parked_for_what_exists",
    sql`select r.account_id, p.event_id, p.waits_for from parked_provider_events p
          join recharges r on p.waits_for = 'charge:' || r.provider_charge_id and r.status = 'succeeded'
        union all
        select d.account_id, p.event_id, p.waits_for from parked_provider_events p
          join disputes d on p.waits_for = 'dispute:' || d.provider_dispute_id
        order by event_id limit 100`,
    (r) => `provider event ${r.event_id} is still parked, but ${r.waits_for} is there`,
  ),
  // No automatic recharge created while Auto-Recharge was off.
  check<Row<{ id: string }>>(
    "no_auto_recharge_when_disabled",
    sql`select r.account_id, r.id from recharges r join auto_recharge_settings s on s.account_id = r.account_id
        where not s.enabled and r.trigger <> 'manual' and r.created_at > s.disabled_at limit 100`,
    (r) => `recharge ${r.id} was created after Auto-Recharge was turned off`,
  ),
  // The database's partial unique index makes two in flight impossible; this proves it held.
  check<Row<{ n: bigint }>>(
    "one_recharge_in_flight",
    sql`select account_id, count(*) as n from recharges where status in ('pending', 'processing') group by account_id having count(*) > 1`,
    (r) => `${r.n} recharges in flight`,
  ),
  // With the sandbox provider, its records must agree with ours: every charge it took for a
  // recharge we settled as succeeded, and none for one we settled as failed. (Stripe's records
  // are at Stripe: this offline check cannot read them; the Stripe tests compare them.)
  check<Row<{ id: string; status: string; provider_status: string | null }>>(
    "provider_agrees",
    sql`select r.account_id, r.id, r.status, c.status as provider_status
        from recharges r join payment_methods pm on pm.id = r.payment_method_id and pm.provider = 'sandbox'
          left join sandbox_charges c on c.idempotency_key = r.id
        where (r.status = 'succeeded' and c.status is distinct from 'succeeded')
           or (r.status = 'failed' and c.status = 'succeeded')
        limit 100`,
    (r) => `recharge ${r.id} is ${r.status} but the provider's charge is ${r.provider_status ?? "missing"}`,
  ),
];

/**
 * The ledger's own guards: append-only, and (in place of a foreign key) every entry's wallet
 * exists and stays; and the audit log's append-only triggers (who changed what is as
 * tamper-evident as what it cost).
 */
const GUARDS = [
  { check: "append_only_trigger", name: "ledger_entries_append_only" },
  { check: "append_only_trigger", name: "ledger_entries_no_truncate" },
  { check: "append_only_trigger", name: "audit_log_append_only" },
  { check: "append_only_trigger", name: "audit_log_no_truncate" },
  { check: "append_only_trigger", name: "consents_append_only" },
  { check: "append_only_trigger", name: "consents_no_truncate" },
  { check: "wallet_guard_trigger", name: "ledger_entries_wallet_exists" },
  { check: "wallet_guard_trigger", name: "wallets_no_delete" },
  { check: "wallet_guard_trigger", name: "wallets_no_truncate" },
];

async function guardViolations(db: Database): Promise<Violation[]> {
  // 'O' = enabled in origin mode; 'D' = disabled; a missing row = dropped.
  const triggers = await queryRows<{ tgname: string; tgenabled: string }>(
    db,
    sql`select tgname, tgenabled::text as tgenabled from pg_trigger
        where tgrelid in ('ledger_entries'::regclass, 'wallets'::regclass, 'audit_log'::regclass, 'consents'::regclass) and not tgisinternal`,
  );
  return GUARDS.flatMap(({ check, name }) => {
    const trigger = triggers.find((t) => t.tgname === name);
    return !trigger || trigger.tgenabled === "D" ? [{ check, accountId: null, detail: `trigger ${name} is ${trigger ? "disabled" : "missing"}` }] : [];
  });
}

/**
 * Checks the ledger invariants over the whole database and returns every violation found
 * (an empty list means healthy). Read-only: it repairs nothing.
 */
export async function verifyLedger(db: Database): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const { check, query, detail } of CHECKS) {
    const rows = await queryRows<Record<string, unknown> & { account_id: string }>(db, query);
    for (const row of rows) violations.push({ check, accountId: row.account_id, detail: detail(row) });
  }
  return [...violations, ...(await guardViolations(db))];
}
