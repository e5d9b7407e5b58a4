import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { arrayLiteral } from "../db/array-literal.js";
import { GroupCommit, type Queued } from "../db/group-commit.js";
import { inTransaction, queryRows, type Database, type Tx } from "../db/database.js";
import { notFound } from "../errors/app-error.js";
import { claimKey, findStoredResponse, storeResponse, type StoredResponse } from "../idempotency/store.js";
import { newId } from "../ids/prefixed-id.js";
import type { Micros } from "../money/micros.js";
import { cost, usageDelta } from "../money/rating.js";
import { applyBalanceRules } from "./auto-recharge.js";
import type { CallRow } from "./calls.js";
import type { Recharge } from "./recharges.js";
import { ratePerMinuteMicros } from "./pricing.js";
import { DEFAULT_SETTINGS, loadWalletStates, type WalletState } from "./wallet-state.js";

export interface UsageEvent {
  callId: string;
  /** The call's cumulative elapsed seconds. */
  elapsedSeconds: number;
  final: boolean;
}

export interface UsageResult {
  callId: string;
  billedSeconds: number;
  /** What this report debited (0 for a replay or an out-of-order report). */
  debitMicros: Micros;
  /** The call's total so far. */
  totalMicros: Micros;
  /** The wallet's balance right after this report. */
  balanceMicros: Micros;
  action: "continue" | "end_call";
}

/** An Idempotency-Key to claim and a response to store, in the batch's own transaction. */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  fingerprint: string;
  status: number;
  render: (results: UsageResult[]) => object;
}

export type WriteOutcome =
  | { kind: "written"; results: UsageResult[] }
  /** The key was already claimed (earlier, or by another request in this batch): answer what it stored. */
  | { kind: "replay"; stored: StoredResponse };

/** One submitted report (or batch request), with its Idempotency-Key if it carried one. */
interface Submission {
  events: UsageEvent[];
  idempotency: IdempotencyClaim | undefined;
}

type Pending = Queued<Submission, WriteOutcome>;

interface EntryDraft {
  id: string;
  accountId: string;
  amountMicros: Micros;
  entryKey: string;
  callId: string;
  seconds: number;
  balanceAfterMicros: Micros;
}

/**
 * Whether a debit from `before` to `after` may call for any balance rule: a recharge (below
 * an enabled threshold), a low-balance notice (crossing the threshold), a pause (failing and
 * under a minute), or an end_call answer (nothing left). Pure; errs on the side of yes.
 */
export function mayNeedRules(w: { before: Micros; after: Micros; thresholdMicros: Micros; enabled: boolean; failing: boolean; minuteCostMicros: Micros }): boolean {
  if (w.after <= 0n) return true;
  if (w.enabled && w.after < w.thresholdMicros) return true;
  if (w.before >= w.thresholdMicros && w.after < w.thresholdMicros) return true;
  return w.failing && w.after < w.minuteCostMicros;
}

export interface UsageWriterOptions {
  /** At most this many usage events in one transaction. */
  maxBatchEvents?: number;
  /** How many batches may commit at once (each on its own connection, on PostgreSQL). */
  concurrency?: number;
}

/**
 * Group commit for usage debits. Reports queue up while a batch commits; the next batch takes
 * everything queued (up to `maxBatchEvents`) into one transaction: calls locked in id order,
 * wallets in account order, one balance update per wallet, one multi-row insert of entries,
 * and the Auto-Recharge rules for each wallet touched, in that same transaction. Each caller
 * is answered after the commit. An idle writer starts a batch at once, so a lone report
 * waits for nothing; under load a report waits at most for the batch ahead of it.
 * With maxBatchEvents = 1 it is the naive writer: one transaction per report.
 */
export class UsageWriter {
  private readonly queue: GroupCommit<Submission, WriteOutcome>;
  private readonly maxBatchEvents: number;
  /** Committed batches and the reports in them, for metrics and tests. */
  readonly stats = { batches: 0, reports: 0 };
  /** Called after a commit that created a recharge (wakes the worker). */
  onRecharge: () => void = () => {};

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly now: () => Date,
    options: UsageWriterOptions = {},
  ) {
    this.maxBatchEvents = options.maxBatchEvents ?? 1000;
    this.queue = new GroupCommit((batch) => this.commit(batch), {
      maxBatchWeight: this.maxBatchEvents,
      concurrency: options.concurrency ?? 1,
      weight: (pending) => pending.events.length,
    });
  }

  submit(events: UsageEvent[], idempotency?: IdempotencyClaim): Promise<WriteOutcome> {
    return this.queue.submit({ events, idempotency });
  }

  private async commit(batch: Pending[]): Promise<void> {
    const { db, config } = this;
    const now = this.now();
    const only = batch[0]!;
    if (this.maxBatchEvents === 1 && batch.length === 1 && only.events.length > 1 && !only.idempotency) {
      // The naive writer (the benchmarks' baseline): one transaction per debit, even for the
      // events of one batch request. (With an Idempotency-Key a request stays one transaction.)
      const results: UsageResult[] = [];
      for (const event of only.events) {
        const written = await inTransaction(db, (tx) => this.write(tx, config, [{ ...only, events: [event] }], now));
        if (written.rechargeCreated) this.onRecharge();
        results.push(...(written.outcomes[0] as UsageResult[]));
        this.stats.batches += 1;
      }
      this.stats.reports += 1;
      only.resolve({ kind: "written", results });
      return;
    }
    const written = await inTransaction(db, (tx) => this.write(tx, config, batch, now));
    this.stats.batches += 1;
    this.stats.reports += batch.length;
    if (written.rechargeCreated) this.onRecharge();
    for (const [i, pending] of batch.entries()) {
      const outcome = written.outcomes[i]!;
      if (outcome !== "replay") {
        pending.resolve({ kind: "written", results: outcome });
        continue;
      }
      const claim = pending.idempotency!;
      const stored = await findStoredResponse(db, config.secrets, claim.scope, claim.key);
      if (!stored) throw new Error("assertion: a claimed idempotency key has a stored response");
      pending.resolve({ kind: "replay", stored });
    }
  }

  private async write(
    tx: Tx,
    config: Config,
    batch: Pending[],
    now: Date,
  ): Promise<{ outcomes: Array<UsageResult[] | "replay">; rechargeCreated: boolean }> {
    // 1. Idempotency-Keys first, in key order; a key already taken makes its report a replay.
    const replays = new Set<number>();
    const claims = batch
      .map((p, i) => ({ i, claim: p.idempotency }))
      .filter((c): c is { i: number; claim: IdempotencyClaim } => c.claim !== undefined)
      .sort((a, b) => `${a.claim.scope}\u0000${a.claim.key}`.localeCompare(`${b.claim.scope}\u0000${b.claim.key}`));
    for (const { i, claim } of claims) {
      if (!(await claimKey(tx, claim.scope, claim.key, claim.fingerprint))) replays.add(i);
    }

    // 2. Lock the calls in id order. The same statement turns hash and merge joins off for the
    //    rest of this transaction: every statement after it touches at most maxBatchEvents
    //    rows, each by its key, so index lookups are the right plan at any table size, and
    //    from statistics that lag tables updated this fast the planner chose hash joins over
    //    full scans of calls and wallets instead (hot-wallet batches ran ~15% slower that way;
    //    with bloated tables, far slower). In this statement rather than one of its own: one
    //    round trip fewer per batch.
    const callIds = [...new Set(batch.flatMap((p, i) => (replays.has(i) ? [] : p.events.map((e) => e.callId))))].sort();
    const calls = new Map<string, CallRow>();
    if (callIds.length > 0) {
      const rows = await queryRows<CallRow>(
        tx,
        sql`with planner as materialized (select set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true))
            select id, account_id, rate_per_minute_micros, billed_seconds, billed_micros, status
            from calls where id = any(${arrayLiteral(callIds)}::text[]) and (select count(*) from planner) = 1
            order by id for update of calls`,
      );
      for (const row of rows) {
        calls.set(row.id, { ...row, rate_per_minute_micros: BigInt(row.rate_per_minute_micros), billed_micros: BigInt(row.billed_micros), billed_seconds: Number(row.billed_seconds) });
      }
    }
    for (const [i, pending] of batch.entries()) {
      // Checked at the edge already; a report for a call that vanished fails alone (see GroupCommit).
      if (!replays.has(i) && pending.events.some((e) => !calls.has(e.callId))) throw notFound("call");
    }

    // 3. Rate every report against its call's running state, in arrival order.
    const entries: EntryDraft[] = [];
    const perEvent: Array<Array<{ event: UsageEvent; billedSeconds: number; debitMicros: Micros; totalMicros: Micros; entry: EntryDraft | undefined; accountId: string }>> = [];
    const touchedCalls = new Set<string>();
    for (const [i, pending] of batch.entries()) {
      const rated: (typeof perEvent)[number] = [];
      perEvent.push(rated);
      if (replays.has(i)) continue;
      for (const event of pending.events) {
        const call = calls.get(event.callId)!;
        const step = usageDelta(event.elapsedSeconds, call.billed_seconds, call.rate_per_minute_micros);
        let entry: EntryDraft | undefined;
        if (step.debitMicros > 0n) {
          entry = {
            id: newId("txn"),
            accountId: call.account_id,
            amountMicros: -step.debitMicros,
            entryKey: `usage:${call.id}:${step.billedSeconds}`,
            callId: call.id,
            seconds: step.billedSeconds - call.billed_seconds,
            balanceAfterMicros: 0n, // set once the wallet is locked
          };
          entries.push(entry);
          call.billed_seconds = step.billedSeconds;
          call.billed_micros += step.debitMicros;
          touchedCalls.add(call.id);
        }
        if (event.final && call.status !== "ended") {
          call.status = "ended";
          touchedCalls.add(call.id);
        }
        rated.push({ event, billedSeconds: call.billed_seconds, debitMicros: step.debitMicros, totalMicros: call.billed_micros, entry, accountId: call.account_id });
      }
    }

    // 4. The calls' billed totals are written, then the wallets are locked in account order,
    //    read with what the balance rules need to know whether they may act (most wallets are
    //    far above their threshold). One statement, one round trip: the update is a CTE that
    //    the wallet query waits for (a one-time filter on its row count), and the wallets are
    //    sorted before they are locked, so the order holds and, on a hot wallet, the calls'
    //    update happens before its lock is taken: the next batch waits for this one's wallet
    //    lock, so less work happens under it.
    const touched = [...touchedCalls].sort().map((id) => calls.get(id)!);
    const callsWritten =
      touched.length > 0
        ? sql`with calls_written as (
                update calls c set billed_seconds = t.billed_seconds, billed_micros = t.billed_micros, status = t.status,
                  ended_at = case when t.status = 'ended' and c.ended_at is null then now() else c.ended_at end
                from unnest(${arrayLiteral(touched.map((c) => c.id))}::text[], ${arrayLiteral(touched.map((c) => c.billed_seconds))}::int[],
                            ${arrayLiteral(touched.map((c) => c.billed_micros))}::bigint[], ${arrayLiteral(touched.map((c) => c.status))}::text[])
                  as t(id, billed_seconds, billed_micros, status)
                where c.id = t.id
                returning 1
              )`
        : sql``;
    const afterCallsWritten = touched.length > 0 ? sql`and (select count(*) from calls_written) = ${touched.length}` : sql``;
    const accountIds = [...new Set([...calls.values()].map((c) => c.account_id))].sort();
    const balancesBefore = new Map<string, Micros>();
    const ruleInputs = new Map<string, { webWidget: boolean; enabled: boolean; thresholdMicros: Micros; failing: boolean }>();
    if (accountIds.length > 0) {
      const rows = await queryRows<{ account_id: string; balance_micros: bigint; web_widget: boolean; enabled: boolean | null; threshold_micros: bigint | null; failing: boolean | null }>(
        tx,
        sql`${callsWritten}
            select w.account_id, w.balance_micros, a.web_widget, s.enabled, s.threshold_micros, s.failing
            from wallets w join accounts a on a.id = w.account_id
            left join auto_recharge_settings s on s.account_id = w.account_id
            where w.account_id = any(${arrayLiteral(accountIds)}::text[]) ${afterCallsWritten}
            order by w.account_id for update of w`,
      );
      // Fewer rows: a wallet is missing, or the calls' update wrote fewer rows than it was given.
      if (rows.length !== accountIds.length) throw new Error(`assertion: ${accountIds.length} wallets to lock after ${touched.length} calls written, ${rows.length} locked`);
      for (const row of rows) {
        balancesBefore.set(row.account_id, BigInt(row.balance_micros));
        ruleInputs.set(row.account_id, {
          webWidget: row.web_widget,
          enabled: row.enabled ?? false,
          thresholdMicros: row.threshold_micros === null ? DEFAULT_SETTINGS.thresholdMicros : BigInt(row.threshold_micros),
          failing: row.failing ?? false,
        });
      }
    }
    const running = new Map(balancesBefore);
    for (const entry of entries) {
      const after = running.get(entry.accountId)! + entry.amountMicros;
      running.set(entry.accountId, after);
      entry.balanceAfterMicros = after;
    }
    const moved = accountIds.filter((id) => running.get(id) !== balancesBefore.get(id));

    // 5. One statement writes the entries (a repeated entry key is a bug and fails it) and
    //    moves each wallet once by the sum of its debits. Data-modifying CTEs run to
    //    completion; the wallets' new balances come back to be checked against what was
    //    computed above.
    if (entries.length > 0) {
      const updated = await queryRows<{ account_id: string; balance_micros: bigint }>(
        tx,
        sql`with new_entries as (
              insert into ledger_entries (id, account_id, type, amount_micros, balance_after_micros, entry_key, call_id, seconds)
              select id, account_id, 'usage', amount_micros, balance_after_micros, entry_key, call_id, seconds
              from unnest(${arrayLiteral(entries.map((e) => e.id))}::text[], ${arrayLiteral(entries.map((e) => e.accountId))}::text[],
                          ${arrayLiteral(entries.map((e) => e.amountMicros))}::bigint[], ${arrayLiteral(entries.map((e) => e.balanceAfterMicros))}::bigint[],
                          ${arrayLiteral(entries.map((e) => e.entryKey))}::text[], ${arrayLiteral(entries.map((e) => e.callId))}::text[],
                          ${arrayLiteral(entries.map((e) => e.seconds))}::int[])
                as t(id, account_id, amount_micros, balance_after_micros, entry_key, call_id, seconds)
              returning 1
            )
            update wallets w set balance_micros = w.balance_micros + d.delta, updated_at = now()
            from unnest(${arrayLiteral(moved)}::text[], ${arrayLiteral(moved.map((id) => running.get(id)! - balancesBefore.get(id)!))}::bigint[]) as d(account_id, delta)
            where w.account_id = d.account_id
            returning w.account_id, w.balance_micros`,
      );
      if (updated.length !== moved.length) throw new Error(`assertion: ${moved.length} wallets to move, ${updated.length} moved`);
      for (const row of updated) {
        if (BigInt(row.balance_micros) !== running.get(row.account_id)) {
          throw new Error(`assertion: wallet ${row.account_id} moved to ${row.balance_micros}, expected ${running.get(row.account_id)}`);
        }
      }
    }

    // 6. Auto-Recharge trigger, low-balance notice and pause, once per wallet that moved and
    //    only where a rule may act: the full state (cards, recharges) costs more than the rest
    //    of the batch.
    const states = new Map<string, WalletState>();
    let rechargeCreated = false;
    const needRules = moved.filter((id) => {
      const input = ruleInputs.get(id)!;
      return mayNeedRules({
        before: balancesBefore.get(id)!,
        after: running.get(id)!,
        thresholdMicros: input.thresholdMicros,
        enabled: input.enabled,
        failing: input.failing,
        minuteCostMicros: cost(60, ratePerMinuteMicros(config.rates, input.webWidget)),
      });
    });
    if (needRules.length > 0) {
      const loaded = await loadWalletStates(tx, config.rates, needRules);
      for (const id of needRules) {
        const applied: { state: WalletState; recharge: Recharge | null } = await applyBalanceRules(tx, config, loaded.get(id)!, balancesBefore.get(id)!, now);
        rechargeCreated ||= applied.recharge !== null;
        states.set(id, applied.state);
      }
    }

    // 7. Answers, and the stored responses of claimed keys, in this same transaction.
    const outcomes: Array<UsageResult[] | "replay"> = [];
    const balanceSeen = new Map(balancesBefore);
    for (const [i, rated] of perEvent.entries()) {
      if (replays.has(i)) {
        outcomes.push("replay");
        continue;
      }
      const results = rated.map((r): UsageResult => {
        if (r.entry) balanceSeen.set(r.accountId, r.entry.balanceAfterMicros);
        const balanceMicros = balanceSeen.get(r.accountId)!;
        // Only a wallet at or below zero can be told to end a call, and every such wallet had
        // its full state read above, with any recharge in flight.
        const inFlightMicros = states.get(r.accountId)?.inFlight?.amountMicros ?? 0n;
        const ended = r.event.final || calls.get(r.event.callId)!.status === "ended";
        return {
          callId: r.event.callId,
          billedSeconds: r.billedSeconds,
          debitMicros: r.debitMicros,
          totalMicros: r.totalMicros,
          balanceMicros,
          action: ended || balanceMicros + inFlightMicros <= 0n ? "end_call" : "continue",
        };
      });
      outcomes.push(results);
      const claim = batch[i]!.idempotency;
      if (claim) await storeResponse(tx, config.secrets, claim, claim.status, JSON.stringify(claim.render(results)));
    }
    return { outcomes, rechargeCreated };
  }
}

