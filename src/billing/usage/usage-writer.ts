import type { Config } from "../../config/config.js";
import { alertCrossings, type AlertLevel } from "../status/balance-alerts.js";
import { GroupCommit, type Queued } from "../../db/group-commit.js";
import { inTransaction, type Database, type Tx } from "../../db/database.js";
import { findStoredResponse, storeResponse, type StoredResponse } from "../../idempotency/store.js";
import { postEntries } from "../../ledger/ledger.js";
import { usageBatchSize, usageCommitDuration } from "../../metrics/registry.js";
import type { Micros } from "../../money/micros.js";
import { cost } from "../../money/rating.js";
import { afterBalanceChange } from "../recharges/auto-recharge.js";
import { newId } from "../../ids/prefixed-id.js";
import { releaseCalls } from "../calls/calls.js";
import { spendGrants } from "../grants/grants.js";
import { rateBatch, usageAnswers, type RatedBatch, type UsageEvent, type UsageResult } from "./rate-batch.js";
import { inFlightAmounts, type Recharge } from "../recharges/recharges.js";
import { claimKeys, lockCalls, writeCallsAndLockWallets, type LockedWallet } from "./usage-queries.js";
import { loadWalletStates, type WalletState } from "../status/wallet-state.js";
import { assert } from "../../errors/assert.js";
import { afterCommit } from "../../db/after-commit.js";

export type { UsageEvent, UsageResult } from "./rate-batch.js";

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

/**
 * Usage events waiting for a batch at most (20 full batches of the default 1000): past it a
 * report is refused with 429 and Retry-After, and its client retries (cumulative seconds make
 * that exact). At the ~41 000 debits/s measured on PostgreSQL here (README, one hot wallet),
 * 20 000 events are about half a second of work.
 */
export const DEFAULT_MAX_QUEUED_EVENTS = 20_000;

/**
 * Whether a debit from `before` to `after` may call for any balance rule: a recharge (below
 * an enabled threshold), a low-balance notice (crossing the threshold), a pause (failing and
 * under a minute), or an end_call answer (nothing left). Pure; errs on the side of yes.
 * `minuteCostMicros` null: the account's rate was not read (it is priced by a plan or an agency,
 * docs/plans.md), so a rule that needs it — the pause line, a level in minutes — answers yes.
 */
export function mayNeedRules(w: {
  before: Micros;
  after: Micros;
  thresholdMicros: Micros;
  enabled: boolean;
  failing: boolean;
  minuteCostMicros: Micros | null;
  alertLevels: readonly AlertLevel[];
}): boolean {
  if (w.after <= 0n) return true;
  if (w.alertLevels.length > 0) {
    if (w.minuteCostMicros === null && w.alertLevels.some((level) => "belowMinutes" in level)) return true;
    // A minute at the rate costs exactly the rate: the minute's cost is the rate per minute.
    // (Levels in dollars do not read the rate: any will do when it was not read.)
    const rate = { ratePerMinuteMicros: w.minuteCostMicros ?? 1n };
    if (alertCrossings(w.alertLevels, { balanceMicros: w.before, ...rate }, { balanceMicros: w.after, ...rate }).length > 0) return true;
  }
  if (w.enabled && w.after < w.thresholdMicros) return true;
  if (w.before >= w.thresholdMicros && w.after < w.thresholdMicros) return true;
  return w.failing && (w.minuteCostMicros === null || w.after < w.minuteCostMicros);
}

export interface UsageWriterOptions {
  /** At most this many usage events in one transaction. */
  maxBatchEvents?: number;
  /** How many batches may commit at once (each on its own connection, on PostgreSQL). */
  concurrency?: number;
  /** The after-commit hook, called after a batch that created a recharge (wakes the worker). */
  afterCommit?: () => void;
  /** Events waiting at most before reports are refused with 429 (PREPAID_USAGE_QUEUE_MAX). */
  maxQueuedEvents?: number;
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
  private readonly afterCommit: () => void;
  /** Committed batches and the reports in them, for metrics and tests. */
  readonly stats = { batches: 0, reports: 0 };

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly now: () => Date,
    options: UsageWriterOptions = {},
  ) {
    this.maxBatchEvents = options.maxBatchEvents ?? 1000;
    this.afterCommit = options.afterCommit ?? (() => {});
    this.queue = new GroupCommit((batch) => this.commit(batch), {
      maxBatchWeight: this.maxBatchEvents,
      concurrency: options.concurrency ?? 1,
      weight: (pending) => pending.events.length,
      maxQueuedWeight: options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS,
    });
  }

  submit(events: UsageEvent[], idempotency?: IdempotencyClaim): Promise<WriteOutcome> {
    return this.queue.submit({ events, idempotency });
  }

  /**
   * Usage in the caller's own transaction, not queued: a provider's end event bills its final
   * seconds in the transaction that records the event (connector-calls), so a crash between
   * the two is impossible. The recharge worker is woken after that transaction commits.
   */
  async writeIn(tx: Tx, events: UsageEvent[]): Promise<UsageResult[]> {
    const written = await this.write(tx, this.config, [{ events, idempotency: undefined }], this.now());
    if (written.rechargeCreated) afterCommit(tx, this.afterCommit);
    const [outcome] = written.outcomes;
    assert(outcome !== undefined && outcome !== "replay", "a write with no Idempotency-Key is never a replay");
    return outcome;
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
        if (written.rechargeCreated) this.afterCommit();
        results.push(...(written.outcomes[0] as UsageResult[]));
        this.stats.batches += 1;
      }
      this.stats.reports += 1;
      only.resolve({ kind: "written", results });
      return;
    }
    const stopTimer = usageCommitDuration.startTimer();
    const written = await inTransaction(db, (tx) => this.write(tx, config, batch, now));
    stopTimer();
    usageBatchSize.observe(batch.length);
    this.stats.batches += 1;
    this.stats.reports += batch.length;
    if (written.rechargeCreated) this.afterCommit();
    for (const [i, pending] of batch.entries()) {
      const outcome = written.outcomes[i]!;
      if (outcome !== "replay") {
        pending.resolve({ kind: "written", results: outcome });
        continue;
      }
      const claim = pending.idempotency!;
      const stored = await findStoredResponse(db, config.secrets, claim.scope, claim.key);
      assert(stored, "a claimed idempotency key has a stored response");
      pending.resolve({ kind: "replay", stored });
    }
  }

  /**
   * One batch in the caller's transaction. Setup: claim the Idempotency-Keys, lock the calls.
   * Compute: rate every report (pure). Execute: write the calls and lock their wallets, post
   * the entries through the ledger, spend grants where a wallet has any, run the balance
   * rules where they may act, store answers.
   */
  private async write(
    tx: Tx,
    config: Config,
    batch: ReadonlyArray<Submission>,
    now: Date,
  ): Promise<{ outcomes: Array<UsageResult[] | "replay">; rechargeCreated: boolean }> {
    const replays = await claimKeys(tx, batch);
    const lockedCalls = await lockCalls(tx, batch.flatMap((p, i) => (replays.has(i) ? [] : p.events.map((e) => e.callId))));

    const rated = rateBatch(batch.map((p, i) => (replays.has(i) ? "replay" : p.events)), lockedCalls, newId("bat"));

    // Rebilling agencies' wallets are locked with the others, in the one account order.
    const accountIds = [...new Set([...[...rated.calls.values()].map((c) => c.accountId), ...rated.marginAccountIds])].sort();
    const wallets = await writeCallsAndLockWallets(tx, config.rates, rated.touched, accountIds);
    await releaseCalls(tx, rated.ended);
    const balancesBefore = new Map([...wallets].map(([id, w]) => [id, w.balanceMicros]));
    const { posted, walletMoves } = await postEntries(tx, rated.entries, balancesBefore);
    // Nearly every wallet has no grant: those cost nothing more here (docs/concepts.md, burn order).
    const granted = new Set([...wallets].filter(([, w]) => w.grantedMicros > 0n).map(([id]) => id));
    if (granted.size > 0) await spendGrants(tx, posted, granted);
    const { states, rechargeCreated } = await this.applyRules(tx, config, wallets, walletMoves, now);

    const outcomes = await this.answer(tx, rated, wallets, balancesBefore, posted.map((e) => e.balanceAfterMicros), states);
    for (const [i, outcome] of outcomes.entries()) {
      const claim = batch[i]!.idempotency;
      if (claim && outcome !== "replay") await storeResponse(tx, config.secrets, claim, claim.status, JSON.stringify(claim.render(outcome)));
    }
    return { outcomes, rechargeCreated };
  }

  /**
   * The batch's answers. A recharge in flight only lengthens how long the credit lasts, so it
   * is read only where the answer without it would not be `continue` and the balance rules did
   * not read it already: a healthy wallet's report costs no extra query.
   */
  private async answer(
    tx: Tx,
    rated: RatedBatch,
    wallets: ReadonlyMap<string, LockedWallet>,
    balancesBefore: ReadonlyMap<string, Micros>,
    balancesAfter: readonly Micros[],
    states: ReadonlyMap<string, WalletState>,
  ): Promise<Array<UsageResult[] | "replay">> {
    const releasedRate = new Map<string, Micros>();
    for (const call of rated.ended) releasedRate.set(call.accountId, (releasedRate.get(call.accountId) ?? 0n) + call.ratePerMinuteMicros);
    const inFlight = new Map([...states].map(([id, state]) => [id, state.inFlight?.amountMicros ?? 0n]));
    const outlook = (accountId: string) => ({
      inFlightMicros: inFlight.get(accountId) ?? 0n,
      activeRateMicros: wallets.get(accountId)!.activeRateMicros - (releasedRate.get(accountId) ?? 0n),
      lapsedMicros: wallets.get(accountId)!.lapsedMicros,
    });
    const first = usageAnswers(rated, balancesBefore, balancesAfter, outlook);
    const unsure = new Set<string>();
    for (const answer of first.flatMap((answers) => (answers === "replay" ? [] : answers))) {
      const call = rated.calls.get(answer.callId)!;
      if (answer.action !== "continue" && call.status === "active" && !inFlight.has(call.accountId)) unsure.add(call.accountId);
    }
    if (unsure.size === 0) return first;
    const read = await inFlightAmounts(tx, [...unsure].sort());
    for (const id of unsure) inFlight.set(id, read.get(id) ?? 0n);
    return usageAnswers(rated, balancesBefore, balancesAfter, outlook);
  }

  /**
   * Auto-Recharge trigger, low-balance notice and pause, once per wallet that moved and only
   * where a rule may act: the full state (cards, recharges) costs more than the rest of the
   * batch.
   */
  private async applyRules(
    tx: Tx,
    config: Config,
    wallets: ReadonlyMap<string, LockedWallet>,
    walletMoves: ReadonlyArray<{ accountId: string; afterMicros: Micros }>,
    now: Date,
  ): Promise<{ states: Map<string, WalletState>; rechargeCreated: boolean }> {
    const states = new Map<string, WalletState>();
    const needRules = walletMoves.filter(({ accountId, afterMicros }) => {
      const w = wallets.get(accountId)!;
      return mayNeedRules({
        before: w.balanceMicros - w.lapsedMicros,
        after: afterMicros - w.lapsedMicros,
        thresholdMicros: w.thresholdMicros,
        enabled: w.enabled,
        failing: w.failing,
        minuteCostMicros: w.ratePerMinuteMicros === null ? null : cost(60, w.ratePerMinuteMicros),
        alertLevels: w.alertLevels,
      });
    });
    if (needRules.length === 0) return { states, rechargeCreated: false };
    let rechargeCreated = false;
    const loaded = await loadWalletStates(tx, config.rates, needRules.map((m) => m.accountId));
    for (const { accountId } of needRules) {
      const w = wallets.get(accountId)!;
      const applied: { state: WalletState; recharge: Recharge | null } = await afterBalanceChange(tx, config, loaded.get(accountId)!, w.balanceMicros - w.lapsedMicros, now);
      rechargeCreated ||= applied.recharge !== null;
      states.set(accountId, applied.state);
    }
    return { states, rechargeCreated };
  }
}
