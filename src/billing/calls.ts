import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { arrayLiteral } from "../db/array-literal.js";
import { queryRows, type Tx } from "../db/database.js";
import { AppError, invalid, notFound } from "../errors/app-error.js";
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

/**
 * Authorises a call: the account must be active and able to pay for its first minute
 * (counting a recharge in flight). The rate is fixed here for the life of the call.
 * Starting a call id that exists on the same account returns it unchanged (a retried start).
 * The check and the insert are one statement, so it needs no transaction around it: this is
 * the hot path of every call. A refusal reads the account again to say why.
 */
export async function startCall(
  tx: Tx,
  config: Config,
  accountId: string,
  callId: string | undefined,
): Promise<{ call: Call; maxSeconds: number; created: boolean }> {
  const { withWidgetMicros, withoutWidgetMicros } = config.rates;
  const [row] = await queryRows<CallRow & { spendable_micros: bigint; inserted: boolean }>(
    tx,
    sql`with s as (
          select a.status, w.balance_micros + coalesce(r.amount_micros, 0) as spendable_micros,
                 case when a.web_widget then ${withWidgetMicros}::bigint else ${withoutWidgetMicros}::bigint end as rate
          from accounts a join wallets w on w.account_id = a.id
          left join recharges r on r.account_id = a.id and r.status in ('pending', 'processing')
          where a.id = ${accountId}
        ), ins as (
          insert into calls (id, account_id, rate_per_minute_micros)
          select ${callId ?? newId("call")}, ${accountId}, s.rate from s
          where s.status = 'active' and s.spendable_micros >= s.rate -- a minute costs exactly the rate
          on conflict (id) do nothing
          returning *
        )
        select ins.*, s.spendable_micros, true as inserted from ins, s
        union all
        select c.*, s.spendable_micros, false from calls c, s where c.id = ${callId ?? ""} and not exists (select 1 from ins)`,
  );
  if (row?.inserted) {
    const call = callFromRow(row);
    return { call, maxSeconds: secondsAffordable(BigInt(row.spendable_micros), call.ratePerMinuteMicros), created: true };
  }
  if (row) {
    // The id exists: the same call started again, or someone else's id.
    if (row.account_id !== accountId) throw invalid("call_id: already used by another call");
    const call = callFromRow(row);
    return { call, maxSeconds: secondsAffordable(BigInt(row.spendable_micros), call.ratePerMinuteMicros), created: false };
  }
  // Refused: say why.
  const state = await loadWalletState(tx, config.rates, accountId);
  if (!state) throw notFound("account");
  if (state.status === "paused") {
    throw new AppError("account_paused", "the account is paused because Auto-Recharge failed; update the card or add credit");
  }
  throw new AppError("insufficient_credit", "the balance does not cover one minute at the account's rate");
}
