import { notFound } from "../../errors/app-error.js";
import type { NewEntry } from "../../ledger/ledger.js";
import type { Micros } from "../../money/micros.js";
import { usageDelta } from "../../money/rating.js";
import { callOutlook, type CallAction } from "../calls/call-credit.js";
import { marginShare } from "../pricing.js";
import type { Call } from "../calls/calls.js";

export interface UsageEvent {
  callId: string;
  /** The call's cumulative elapsed seconds. */
  elapsedSeconds: number;
  final: boolean;
  /**
   * A meter's reading (a provider call's tick): it bills nothing once the call has ended,
   * because the provider's own duration has billed it (connector-calls). A client's report
   * always bills what it adds.
   */
  onlyWhileActive?: boolean;
}

/** One report as rated: what it billed, and the usage entry it makes (an index into `entries`). */
export interface RatedEvent {
  event: UsageEvent;
  accountId: string;
  /** The call's billed seconds and total after this report. */
  billedSeconds: number;
  totalMicros: Micros;
  /** What this report debits (0 for a replay or an out-of-order report). */
  debitMicros: Micros;
  entryIndex: number | undefined;
}

export interface RatedBatch {
  /** Per submission, in order: its rated reports, or "replay" (its Idempotency-Key was taken). */
  submissions: Array<RatedEvent[] | "replay">;
  /** The usage entries to post, in arrival order. */
  entries: NewEntry[];
  /** Every call's state after the batch, by id. */
  calls: Map<string, Call>;
  /** Every reported call, in id order: the rows to write (billed totals, status, time of the last report). */
  touched: Call[];
  /** The calls this batch ended (they were active): the holds and slots to give back. */
  ended: Call[];
  /** The agencies whose margin entries the batch posts (their wallets are locked with the others). */
  marginAccountIds: string[];
}

/**
 * Rates a batch of usage reports against the locked calls, in arrival order: each report
 * bills its call's cumulative seconds (a report at or below what is billed debits nothing;
 * one for an ended call still bills what it adds: usage is never dropped), and a final report
 * ends its call. Pure: the calls given are not changed. A report for a call not given fails
 * its submission (`not_found`; the group commit retries the others).
 *
 * A rebilled call's debit carries its margin share (`marginShare`) and `batchId`; after the
 * usage entries come one `rebilling_margin` entry per agency with the sum of its shares
 * (docs/plans.md), so the debits and the margins are posted in one statement.
 */
export function rateBatch(submissions: ReadonlyArray<readonly UsageEvent[] | "replay">, lockedCalls: ReadonlyMap<string, Call>, batchId: string): RatedBatch {
  const calls = new Map([...lockedCalls].map(([id, call]) => [id, { ...call }]));
  const entries: NewEntry[] = [];
  const touched = new Set<string>();
  const ended: Call[] = [];
  const margins = new Map<string, Micros>();
  const rated = submissions.map((events): RatedEvent[] | "replay" => {
    if (events === "replay") return "replay";
    if (events.some((e) => !calls.has(e.callId))) throw notFound("call");
    return events.map((event) => {
      const call = calls.get(event.callId)!;
      const step =
        event.onlyWhileActive && call.status === "ended"
          ? { billedSeconds: call.billedSeconds, debitMicros: 0n }
          : usageDelta(event.elapsedSeconds, call.billedSeconds, call.ratePerMinuteMicros);
      let entryIndex: number | undefined;
      if (step.debitMicros > 0n) {
        entryIndex = entries.length;
        const entry: NewEntry = {
          accountId: call.accountId,
          type: "usage",
          amountMicros: -step.debitMicros,
          entryKey: `usage:${call.id}:${step.billedSeconds}`,
          callId: call.id,
          seconds: step.billedSeconds - call.billedSeconds,
        };
        if (call.margin) {
          const share = marginShare(call.billedSeconds, step.billedSeconds, call.margin.ratePerMinuteMicros);
          entry.batchId = batchId;
          entry.marginMicros = share;
          margins.set(call.margin.accountId, (margins.get(call.margin.accountId) ?? 0n) + share);
        }
        entries.push(entry);
        call.billedSeconds = step.billedSeconds;
        call.billedMicros += step.debitMicros;
      }
      // Any report, even one that bills nothing, shows the call is alive (the idle timeout).
      touched.add(call.id);
      if (event.final && call.status !== "ended") {
        call.status = "ended";
        ended.push(call);
      }
      return { event, accountId: call.accountId, billedSeconds: call.billedSeconds, totalMicros: call.billedMicros, debitMicros: step.debitMicros, entryIndex };
    });
  });
  const marginAccountIds = [...margins.keys()].sort();
  for (const accountId of marginAccountIds) {
    const amountMicros = margins.get(accountId)!;
    if (amountMicros === 0n) continue;
    entries.push({ accountId, type: "rebilling_margin", amountMicros, entryKey: `rebilling_margin:${batchId}:${accountId}`, batchId });
  }
  return { submissions: rated, entries, calls, touched: [...touched].sort().map((id) => calls.get(id)!), ended, marginAccountIds };
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
  secondsRemaining: number;
  action: CallAction;
}

/** What the answers need to know of a wallet after the batch, besides its balances. */
export interface WalletOutlook {
  /** Its recharge in flight (0 when none, or not read: see the usage writer). */
  inFlightMicros: Micros;
  /** Σ rates of its running calls after the batch. */
  activeRateMicros: Micros;
  /** Granted credit past its expiry not yet taken off by the worker: not there to spend (lapsed-grants.ts). */
  lapsedMicros: Micros;
}

/**
 * The answers to the rated reports of a batch, in order. A report's balance is its wallet's
 * right after it: its own entry's, else the last one before it in the batch, else the
 * balance before the batch. How long the credit lasts and the action follow from it
 * (`callOutlook`). Pure.
 */
export function usageAnswers(
  rated: RatedBatch,
  balancesBeforeMicros: ReadonlyMap<string, Micros>,
  balancesAfterMicros: readonly Micros[],
  outlook: (accountId: string) => WalletOutlook,
): Array<UsageResult[] | "replay"> {
  const balanceSeen = new Map(balancesBeforeMicros);
  return rated.submissions.map((events) => {
    if (events === "replay") return "replay";
    return events.map((r): UsageResult => {
      if (r.entryIndex !== undefined) balanceSeen.set(r.accountId, balancesAfterMicros[r.entryIndex]!);
      const { lapsedMicros, ...wallet } = outlook(r.accountId);
      const balanceMicros = balanceSeen.get(r.accountId)! - lapsedMicros;
      const call = rated.calls.get(r.event.callId)!;
      const { secondsRemaining, action } = callOutlook({
        ended: r.event.final || call.status === "ended",
        balanceMicros,
        ...wallet,
        ratePerMinuteMicros: call.ratePerMinuteMicros,
      });
      return { callId: r.event.callId, billedSeconds: r.billedSeconds, debitMicros: r.debitMicros, totalMicros: r.totalMicros, balanceMicros, secondsRemaining, action };
    });
  });
}
