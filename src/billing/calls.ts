import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { queryRows, type Tx } from "../db/database.js";
import { AppError, invalid, notFound } from "../errors/app-error.js";
import { newId } from "../ids/prefixed-id.js";
import type { Micros } from "../money/micros.js";
import { secondsAffordable } from "../money/rating.js";
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
