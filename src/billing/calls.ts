import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { arrayLiteral } from "../db/array-literal.js";
import { queryRows, type Tx } from "../db/database.js";
import { AppError, invalidField, notFound } from "../errors/app-error.js";
import { newId } from "../ids/prefixed-id.js";
import type { Micros } from "../money/micros.js";
import { secondsAffordable } from "../money/rating.js";
import { loadWalletState } from "./wallet-state.js";

export interface Call {
  id: string;
  accountId: string;
  ratePerMinuteMicros: Micros;
  billedSeconds: number;
  billedMicros: Micros;
  status: "active" | "ended";
}

/** A calls row as raw SQL returns it. */
export interface CallRow {
  id: string;
  account_id: string;
  rate_per_minute_micros: bigint;
  billed_seconds: number;
  billed_micros: bigint;
  status: "active" | "ended";
}

export const callFromRow = (r: CallRow): Call => ({
  id: r.id,
  accountId: r.account_id,
  ratePerMinuteMicros: BigInt(r.rate_per_minute_micros),
  billedSeconds: Number(r.billed_seconds),
  billedMicros: BigInt(r.billed_micros),
  status: r.status,
});

/** Calls with the account and agency that own them, for the access check: one query for a whole batch. */
export async function findCallOwners(tx: Tx, callIds: string[]): Promise<Map<string, { accountId: string; parentId: string | null }>> {
  const rows = await queryRows<{ id: string; account_id: string; parent_id: string | null }>(
    tx,
    sql`select c.id, c.account_id, a.parent_id from calls c join accounts a on a.id = c.account_id
        where c.id = any(${arrayLiteral(callIds)}::text[])`,
  );
  return new Map(rows.map((r) => [r.id, { accountId: r.account_id, parentId: r.parent_id }]));
}

export interface StartedCall {
  call: Call;
  maxSeconds: number;
}

/** One call start: the account and the call's id (the caller's, or a fresh one). */
export interface CallStart {
  accountId: string;
  callId: string;
}

/**
 * Approves call starts against credit (who may touch a call is `authorizeCalls`, in http/):
 * each account must be active and able to pay for its first minute (counting a recharge in
 * flight). The rate is fixed here for the life of the call.
 * Starting a call id that exists on the same account returns it unchanged (a retried start);
 * an id another account uses is refused. The check and the insert of every start are one
 * statement, so it needs no transaction around it: this is the hot path of every call, and
 * CallStarter hands it many starts at once. Authorising writes no balance, so no start's
 * answer depends on the others. A refusal reads the account again to say why.
 * Answers come back in the order of `starts`, each a call or the error for that start.
 */
export async function approveCallStarts(tx: Tx, config: Config, starts: CallStart[]): Promise<Array<StartedCall | AppError>> {
  const { withWidgetMicros, withoutWidgetMicros } = config.rates;
  const rows = await queryRows<CallRow & { spendable_micros: bigint; inserted: boolean }>(
    tx,
    sql`with req as (
          select r.call_id, r.account_id
          from unnest(${arrayLiteral(starts.map((s) => s.callId))}::text[], ${arrayLiteral(starts.map((s) => s.accountId))}::text[]) as r(call_id, account_id)
        ), s as (
          select req.call_id, req.account_id, a.status, w.balance_micros + coalesce(r.amount_micros, 0) as spendable_micros,
                 case when a.web_widget then ${withWidgetMicros}::bigint else ${withoutWidgetMicros}::bigint end as rate
          from req join accounts a on a.id = req.account_id join wallets w on w.account_id = a.id
          left join recharges r on r.account_id = a.id and r.status in ('pending', 'processing')
        ), ins as (
          insert into calls (id, account_id, rate_per_minute_micros)
          select call_id, account_id, rate from s
          where s.status = 'active' and s.spendable_micros >= s.rate -- a minute costs exactly the rate
          order by call_id -- one lock order for concurrent statements
          on conflict (id) do nothing
          returning *
        )
        select ins.*, s.spendable_micros, true as inserted from ins join s on s.call_id = ins.id and s.account_id = ins.account_id
        union all
        -- Rows that existed before this statement (its own inserts are not visible here).
        select c.*, s.spendable_micros, false from calls c join s on s.call_id = c.id`,
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return Promise.all(
    starts.map(async (start) => {
      const row = byId.get(start.callId);
      if (!row) return refusal(tx, config, start.accountId);
      // The id exists on another account (before, or inserted for another start of this statement).
      if (row.account_id !== start.accountId) return invalidField("call_id", "already used by another call");
      const call = callFromRow(row);
      return { call, maxSeconds: secondsAffordable(BigInt(row.spendable_micros), call.ratePerMinuteMicros) };
    }),
  );
}

/** Authorises one call; throws the refusal. */
export async function startCall(tx: Tx, config: Config, accountId: string, callId: string | undefined): Promise<StartedCall> {
  const [answer] = await approveCallStarts(tx, config, [{ accountId, callId: callId ?? newId("call") }]);
  if (answer instanceof AppError) throw answer;
  return answer!;
}

/** Why the account may not start a call. */
async function refusal(tx: Tx, config: Config, accountId: string): Promise<AppError> {
  const state = await loadWalletState(tx, config.rates, accountId);
  if (!state) return notFound("account");
  if (state.status === "paused") {
    return new AppError("account_paused", "the account is paused because Auto-Recharge failed; update the card or add credit");
  }
  return new AppError("insufficient_credit", "the balance does not cover one minute at the account's rate");
}
