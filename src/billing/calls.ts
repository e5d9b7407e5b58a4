import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { queryRows, type Tx } from "../db/database.js";
import { AppError, invalid, notFound } from "../errors/app-error.js";
import { newId } from "../ids/prefixed-id.js";
import { postEntry } from "../ledger/ledger.js";
import type { Micros } from "../money/micros.js";
import { secondsAffordable, usageDelta } from "../money/rating.js";
import { afterBalanceChange } from "./auto-recharge.js";
import type { Recharge } from "./recharges.js";
import { loadWalletState, type WalletState } from "./wallet-state.js";

export interface Call {
  id: string;
  accountId: string;
  ratePerMinuteMicros: Micros;
  billedSeconds: number;
  billedMicros: Micros;
  status: "active" | "ended";
}

interface CallRow {
  id: string;
  account_id: string;
  rate_per_minute_micros: bigint;
  billed_seconds: number;
  billed_micros: bigint;
  status: "active" | "ended";
}

const callFromRow = (r: CallRow): Call => ({
  id: r.id,
  accountId: r.account_id,
  ratePerMinuteMicros: BigInt(r.rate_per_minute_micros),
  billedSeconds: Number(r.billed_seconds),
  billedMicros: BigInt(r.billed_micros),
  status: r.status,
});

export async function findCall(tx: Tx, callId: string): Promise<Call | undefined> {
  const [row] = await queryRows<CallRow>(tx, sql`select * from calls where id = ${callId}`);
  return row ? callFromRow(row) : undefined;
}

/** What the balance, plus a recharge already in flight, pays for. */
function spendableMicros(state: WalletState): Micros {
  return state.balanceMicros + (state.inFlight?.amountMicros ?? 0n);
}

/**
 * Authorises a call: the account must be active and able to pay for its first minute
 * (counting a recharge in flight). The rate is fixed here for the life of the call.
 * Starting a call id that exists on the same account returns it unchanged (a retried start).
 */
export async function startCall(
  tx: Tx,
  config: Config,
  accountId: string,
  callId: string | undefined,
): Promise<{ call: Call; maxSeconds: number; created: boolean }> {
  const state = await loadWalletState(tx, config.rates, accountId);
  if (!state) throw notFound("account");
  if (callId !== undefined) {
    const existing = await findCall(tx, callId);
    if (existing) {
      if (existing.accountId !== accountId) throw invalid("call_id: already used by another call");
      return { call: existing, maxSeconds: secondsAffordable(spendableMicros(state), existing.ratePerMinuteMicros), created: false };
    }
  }
  if (state.status === "paused") {
    throw new AppError("account_paused", "the account is paused because Auto-Recharge failed; update the card or add credit");
  }
  if (spendableMicros(state) < state.minuteCostMicros) {
    throw new AppError("insufficient_credit", "the balance does not cover one minute at the account's rate");
  }
  const [row] = await queryRows<CallRow>(
    tx,
    sql`insert into calls (id, account_id, rate_per_minute_micros)
        values (${callId ?? newId("call")}, ${accountId}, ${state.ratePerMinuteMicros})
        on conflict (id) do nothing
        returning *`,
  );
  if (!row) throw invalid("call_id: already used by another call");
  return { call: callFromRow(row), maxSeconds: secondsAffordable(spendableMicros(state), state.ratePerMinuteMicros), created: true };
}

export interface UsageResult {
  callId: string;
  billedSeconds: number;
  /** What this report debited (0 for a replay or an out-of-order report). */
  debitMicros: Micros;
  /** The call's total so far. */
  totalMicros: Micros;
  balanceMicros: Micros;
  action: "continue" | "end_call";
  recharge: Recharge | null;
}

/**
 * Records a usage report: the call's cumulative elapsed seconds. It debits
 * cost(cumulative) − cost(already billed), so replays and out-of-order reports debit
 * nothing twice. Usage is never refused once a call started: the balance may go negative,
 * and the answer says `end_call` when nothing is left to pay for the call with.
 * The call row must be locked by the caller (lockCalls), before any wallet.
 */
export async function recordUsage(
  tx: Tx,
  config: Config,
  call: Call,
  elapsedSeconds: number,
  final: boolean,
  now: Date,
): Promise<UsageResult> {
  const step = usageDelta(elapsedSeconds, call.billedSeconds, call.ratePerMinuteMicros);
  let balanceMicros: Micros;
  let recharge: Recharge | null = null;
  let state: WalletState;
  if (step.debitMicros > 0n) {
    const { entry } = await postEntry(tx, {
      accountId: call.accountId,
      type: "usage",
      amountMicros: -step.debitMicros,
      entryKey: `usage:${call.id}:${step.billedSeconds}`,
      callId: call.id,
      seconds: step.billedSeconds - call.billedSeconds,
    });
    balanceMicros = entry.balanceAfterMicros;
    ({ state, recharge } = await afterBalanceChange(tx, config, call.accountId, balanceMicros + step.debitMicros, now));
  } else {
    const loaded = await loadWalletState(tx, config.rates, call.accountId);
    if (!loaded) throw new Error("assertion: a call's account exists");
    state = loaded;
    balanceMicros = state.balanceMicros;
  }
  const totalMicros = call.billedMicros + step.debitMicros;
  if (step.debitMicros > 0n || (final && call.status !== "ended")) {
    await tx.execute(
      sql`update calls set billed_seconds = ${step.billedSeconds}, billed_micros = ${totalMicros},
            status = case when ${final} then 'ended' else status end,
            ended_at = case when ${final} and ended_at is null then now() else ended_at end
          where id = ${call.id}`,
    );
  }
  const ended = final || call.status === "ended";
  const action = ended || spendableMicros(state) <= 0n ? "end_call" : "continue";
  return { callId: call.id, billedSeconds: step.billedSeconds, debitMicros: step.debitMicros, totalMicros, balanceMicros, action, recharge };
}

/**
 * Locks the calls of a batch in id order: every usage path takes call locks first, in
 * this order, then wallets, so concurrent batches cannot deadlock.
 */
export async function lockCalls(tx: Tx, callIds: string[]): Promise<Map<string, Call>> {
  const unique = [...new Set(callIds)].sort();
  const rows = await queryRows<CallRow>(
    tx,
    sql`select * from calls where id in (${sql.join(unique.map((id) => sql`${id}`), sql`, `)}) order by id for update`,
  );
  return new Map(rows.map((r) => [r.id, callFromRow(r)]));
}
