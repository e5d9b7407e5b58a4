import { sql } from "drizzle-orm";
import { levelFromStored, storedLevels, type AlertLevel, type StoredLevel } from "../status/balance-alerts.js";
import { arrayLiteral } from "../../db/array-literal.js";
import { queryRows, type Tx } from "../../db/database.js";
import { claimKey } from "../../idempotency/store.js";
import type { Micros } from "../../money/micros.js";
import { CALL_COLUMNS, callFromRow, type Call, type CallRow } from "../calls/calls.js";
import { DEFAULT_SETTINGS } from "../status/wallet-state.js";
import { lapsedGrantsSql } from "../status/lapsed-grants.js";
import { assert } from "../../errors/assert.js";
import type { Config } from "../../config/config.js";
import { accountPrice } from "../pricing.js";

/** The hot statements of a usage batch (UsageWriter), in the order it runs them. */

/**
 * Claims the batch's Idempotency-Keys in key order (so two batches never wait on each other
 * in a cycle); returns the positions whose key was taken already: those are replays.
 */
export async function claimKeys(
  tx: Tx,
  batch: ReadonlyArray<{ idempotency?: { scope: string; key: string; fingerprint: string } | undefined }>,
): Promise<Set<number>> {
  const replays = new Set<number>();
  const claims = batch
    .flatMap((p, i) => (p.idempotency ? [{ i, claim: p.idempotency }] : []))
    .sort((a, b) => `${a.claim.scope}\u0000${a.claim.key}`.localeCompare(`${b.claim.scope}\u0000${b.claim.key}`));
  for (const { i, claim } of claims) {
    if (!(await claimKey(tx, claim.scope, claim.key, claim.fingerprint))) replays.add(i);
  }
  return replays;
}

/**
 * Locks the calls in id order. The same statement turns hash and merge joins off for the
 * rest of this transaction: every statement after it touches at most maxBatchEvents rows,
 * each by its key, so index lookups are the right plan at any table size, and from
 * statistics that lag tables updated this fast the planner chose hash joins over full scans
 * of calls and wallets instead (hot-wallet batches ran ~15% slower that way; with bloated
 * tables, far slower). In this statement rather than one of its own: one round trip fewer.
 */
export async function lockCalls(tx: Tx, ids: readonly string[]): Promise<Map<string, Call>> {
  const callIds = [...new Set(ids)].sort();
  if (callIds.length === 0) return new Map();
  const rows = await queryRows<CallRow>(
    tx,
    sql`with planner as materialized (select set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true))
        select ${CALL_COLUMNS}
        from calls where id = any(${arrayLiteral(callIds)}::text[]) and (select count(*) from planner) = 1
        order by id for update of calls`,
  );
  return new Map(rows.map((row) => [row.id, callFromRow(row)]));
}

/** A wallet as the usage batch locked it, with what the balance rules need to know whether they may act. */
export interface LockedWallet {
  balanceMicros: Micros;
  /**
   * Its rate a minute now when it is on the default plan and has no agency (the common case,
   * read with no join); null otherwise — its plan or agency prices it, and the few rules that
   * need the rate then read the whole wallet state (mayNeedRules). Kept out of this lock so
   * the hot statement gains no join (the plan, the agency and its plan: three lookups a wallet).
   */
  ratePerMinuteMicros: Micros | null;
  enabled: boolean;
  thresholdMicros: Micros;
  failing: boolean;
  /** Its balance alert levels (empty: none), so a crossing is not missed by the shortcut. */
  alertLevels: AlertLevel[];
  /** Σ rates of its running calls when locked (before this batch ended any). */
  activeRateMicros: Micros;
  /** Its granted credit not yet taken off by an expiry: above 0, the batch's debits spend grants first. */
  grantedMicros: Micros;
  /** The part of it past its expiry (lapsed-grants.ts): no rule or answer counts it. */
  lapsedMicros: Micros;
}

/**
 * Writes the calls' billed totals, status and time of last report, then locks their wallets in account order. One statement,
 * one round trip: the update is a CTE that the wallet query waits for (a one-time filter on
 * its row count), and the wallets are sorted before they are locked, so the order holds and,
 * on a hot wallet, the calls' update happens before its lock is taken: the next batch waits
 * for this one's wallet lock, so less work happens under it.
 */
export async function writeCallsAndLockWallets(tx: Tx, rates: Config["rates"], touched: readonly Call[], accountIds: readonly string[]): Promise<Map<string, LockedWallet>> {
  const wallets = new Map<string, LockedWallet>();
  if (accountIds.length === 0) return wallets;
  const callsWritten =
    touched.length > 0
      ? sql`with calls_written as (
              update calls c set billed_seconds = t.billed_seconds, billed_micros = t.billed_micros, status = t.status, last_report_at = now(),
                ended_at = case when t.status = 'ended' and c.ended_at is null then now() else c.ended_at end,
                ended_by = case when t.status = 'ended' and c.ended_by is null then 'report' else c.ended_by end
              from unnest(${arrayLiteral(touched.map((c) => c.id))}::text[], ${arrayLiteral(touched.map((c) => c.billedSeconds))}::int[],
                          ${arrayLiteral(touched.map((c) => c.billedMicros))}::bigint[], ${arrayLiteral(touched.map((c) => c.status))}::text[])
                as t(id, billed_seconds, billed_micros, status)
              where c.id = t.id
              returning 1
            )`
      : sql``;
  const afterCallsWritten = touched.length > 0 ? sql`and (select count(*) from calls_written) = ${touched.length}` : sql``;
  const rows = await queryRows<{
    price_plan_id: string | null;
    parent_id: string | null;
    account_id: string;
    balance_micros: bigint;
    web_widget: boolean;
    enabled: boolean | null;
    threshold_micros: bigint | null;
    failing: boolean | null;
    alert_levels: StoredLevel[] | string | null;
    active_rate_micros: bigint;
    granted_micros: bigint;
    lapsed_micros: bigint;
  }>(
    tx,
    sql`${callsWritten}
        select w.account_id, w.balance_micros, w.active_rate_micros, w.granted_micros, ${lapsedGrantsSql("w")} as lapsed_micros,
               a.web_widget, a.price_plan_id, a.parent_id, s.enabled, s.threshold_micros, s.failing, ba.levels as alert_levels
        from wallets w join accounts a on a.id = w.account_id
        left join auto_recharge_settings s on s.account_id = w.account_id
        left join balance_alerts ba on ba.account_id = w.account_id
        where w.account_id = any(${arrayLiteral(accountIds)}::text[]) ${afterCallsWritten}
        order by w.account_id for update of w`,
  );
  // Fewer rows: a wallet is missing, or the calls' update wrote fewer rows than it was given.
  assert(rows.length === accountIds.length, `${accountIds.length} wallets to lock after ${touched.length} calls written, ${rows.length} locked`);
  for (const row of rows) {
    wallets.set(row.account_id, {
      balanceMicros: BigInt(row.balance_micros),
      ratePerMinuteMicros:
        row.price_plan_id === null && row.parent_id === null ? accountPrice(rates, { webWidget: row.web_widget, plan: null, agency: null }).ratePerMinuteMicros : null,
      enabled: row.enabled ?? false,
      thresholdMicros: row.threshold_micros === null ? DEFAULT_SETTINGS.thresholdMicros : BigInt(row.threshold_micros),
      failing: row.failing ?? false,
      alertLevels: storedLevels(row.alert_levels).map(levelFromStored),
      activeRateMicros: BigInt(row.active_rate_micros),
      grantedMicros: BigInt(row.granted_micros),
      lapsedMicros: BigInt(row.lapsed_micros),
    });
  }
  return wallets;
}

/**
 * What each account's calls of the last 24 hours cost, for the runway: the calls started in
 * that time and what they billed so far, read on calls_account_started_idx (a range of a day's
 * calls per account, not a scan of its ledger). A call started just before the window and
 * still running is left out; one started inside it counts whole.
 */
export async function spendLast24h(tx: Tx, accountIds: readonly string[]): Promise<Map<string, Micros>> {
  if (accountIds.length === 0) return new Map();
  const rows = await queryRows<{ account_id: string; spent: bigint | string }>(
    tx,
    sql`select account_id, sum(billed_micros)::bigint as spent from calls
        where account_id = any(${arrayLiteral(accountIds)}::text[]) and started_at > now() - interval '24 hours'
        group by account_id`,
  );
  return new Map(rows.map((r) => [r.account_id, BigInt(r.spent)]));
}
