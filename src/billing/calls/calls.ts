import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { arrayLiteral } from "../../db/array-literal.js";
import { queryRows, type Tx } from "../../db/database.js";
import { AppError, notFound } from "../../errors/app-error.js";
import { assert } from "../../errors/assert.js";
import { newId } from "../../ids/prefixed-id.js";
import type { Micros } from "../../money/micros.js";
import { secondsAffordable } from "../../money/rating.js";
import { admitStarts, type Admission, type CallWallet } from "./call-credit.js";
import { priceFromRow, type AccountPrice, type PricingRow } from "../pricing.js";

export interface Call {
  id: string;
  accountId: string;
  ratePerMinuteMicros: Micros;
  billedSeconds: number;
  billedMicros: Micros;
  status: "active" | "ended";
  /** What it holds while it runs (released when it ends). */
  holdMicros: Micros;
  /** Fixed at its start with its rate: the agency that rebills it and its margin a minute (null: not rebilled). */
  margin: AccountPrice["margin"];
}

/** A calls row as raw SQL returns it. */
export interface CallRow {
  id: string;
  account_id: string;
  rate_per_minute_micros: bigint;
  billed_seconds: number;
  billed_micros: bigint;
  status: "active" | "ended";
  hold_micros: bigint;
  margin_account_id: string | null;
  margin_rate_per_minute_micros: bigint | null;
}

/** The columns of a Call, for raw SQL. */
export const CALL_COLUMNS = sql.raw("id, account_id, rate_per_minute_micros, billed_seconds, billed_micros, status, hold_micros, margin_account_id, margin_rate_per_minute_micros");

export const callFromRow = (r: CallRow): Call => ({
  id: r.id,
  accountId: r.account_id,
  ratePerMinuteMicros: BigInt(r.rate_per_minute_micros),
  billedSeconds: Number(r.billed_seconds),
  billedMicros: BigInt(r.billed_micros),
  status: r.status,
  holdMicros: BigInt(r.hold_micros),
  margin:
    r.margin_account_id === null || r.margin_rate_per_minute_micros === null
      ? null
      : { accountId: r.margin_account_id, ratePerMinuteMicros: BigInt(r.margin_rate_per_minute_micros) },
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
 * Approves call starts against credit and concurrency (who may touch a call is
 * `authorizeCalls`, in http/); the rules are `admitStarts` (call-credit.ts). Setup: lock the
 * accounts' wallets in account order, with the calls that exist already (a retried start is
 * answered with its call, unchanged); then read the wallets under that lock, recharge in
 * flight included (a fresh statement: a settlement commits its recharge and its credit
 * together, under the same lock). Compute: which starts are authorised. Execute: one
 * statement inserts the calls and adds their holds, slots and rates to their wallets. An id
 * another account uses is refused. The rate is fixed here for the life of the call.
 * Call inside a transaction: CallStarter hands it many starts at once (group commit).
 * Answers come back in the order of `starts`, each a call or the error for that start.
 */
export async function approveCallStarts(tx: Tx, config: Config, starts: CallStart[]): Promise<Array<StartedCall | AppError>> {
  const accountIds = [...new Set(starts.map((s) => s.accountId))].sort();
  const { existing, wallets } = await lockWalletsAndRead(tx, config, accountIds, starts.map((s) => s.callId));

  // Compute: the new starts of each account, in order (a call id given twice for one account
  // starts once; for two accounts, at most one of them gets it).
  const key = (s: CallStart) => `${s.accountId}\u0000${s.callId}`;
  const fresh = new Map<string, CallStart[]>();
  const seen = new Set<string>();
  for (const start of starts) {
    if (existing.has(start.callId) || seen.has(key(start)) || !wallets.has(start.accountId)) continue;
    seen.add(key(start));
    const list = fresh.get(start.accountId);
    if (list) list.push(start);
    else fresh.set(start.accountId, [start]);
  }
  const decided = new Map<string, Admission>();
  const admitted: Admitted[] = [];
  for (const [accountId, accountStarts] of fresh) {
    const wallet = wallets.get(accountId)!;
    admitStarts(wallet, accountStarts.length, config.calls.holdSeconds).forEach((admission, i) => {
      const start = accountStarts[i]!;
      decided.set(key(start), admission);
      if (admission.kind === "admitted") admitted.push({ id: start.callId, accountId, rate: wallet.ratePerMinuteMicros, hold: admission.holdMicros, margin: wallet.margin });
    });
  }

  // Execute.
  const inserted = await insertCalls(tx, admitted);
  // An id not inserted was started at the same moment elsewhere: read it as it is now.
  const raced = admitted.filter((a) => !inserted.has(a.id)).map((a) => a.id);
  const calls = new Map([...existing, ...inserted, ...(raced.length > 0 ? await findCalls(tx, raced) : [])]);

  return starts.map((start) => {
    if (!wallets.has(start.accountId)) return notFound("account");
    const call = calls.get(start.callId);
    const admission = decided.get(key(start));
    if (!call) return refusal(admission);
    // Another account's call: as far as this caller can tell, there is no such call (an
    // object of another tenant is 404; a 400 would tell that the id exists).
    if (call.accountId !== start.accountId) return notFound("call");
    if (admission?.kind === "admitted" && inserted.has(call.id)) return { call, maxSeconds: admission.maxSeconds };
    // A call that ended is not started again: its answer is the ended call, with no time.
    if (call.status === "ended") return { call, maxSeconds: 0 };
    // A retried start (or one that raced another start of the same id): what the credit the
    // account's other running calls do not hold pays for.
    const wallet = wallets.get(start.accountId)!;
    return { call, maxSeconds: secondsAffordable(wallet.balanceMicros + wallet.inFlightMicros - wallet.heldMicros + call.holdMicros, call.ratePerMinuteMicros) };
  });
}

/** Authorises one call; throws the refusal. Call inside a transaction. */
export async function startCall(tx: Tx, config: Config, accountId: string, callId: string | undefined): Promise<StartedCall> {
  const [answer] = await approveCallStarts(tx, config, [{ accountId, callId: callId ?? newId("call") }]);
  if (answer instanceof AppError) throw answer;
  return answer!;
}

function refusal(admission: Admission | undefined): AppError {
  assert(admission && admission.kind !== "admitted", "a start without a call was refused");
  switch (admission.kind) {
    case "account_paused":
      return new AppError("account_paused", "the account is paused because Auto-Recharge failed; update the card or add credit");
    case "concurrency_limited":
      return concurrencyLimited(admission.used, admission.limit);
    case "insufficient_credit":
      return new AppError("insufficient_credit", "the credit not held by the account's running calls does not cover this call's hold (a minute at its rate)");
  }
}

interface Admitted {
  id: string;
  accountId: string;
  rate: Micros;
  hold: Micros;
  margin: AccountPrice["margin"];
}

interface StartRow extends PricingRow {
  kind: "wallet" | "call";
  id: string;
  account_id: string;
  status: string;
  web_widget: boolean | null;
  max_concurrent_calls: number | null;
  balance_micros: bigint | null;
  held_micros: bigint | null;
  active_calls: number | null;
  in_flight_micros: bigint | null;
  rate_per_minute_micros: bigint | null;
  billed_seconds: number | null;
  billed_micros: bigint | null;
  hold_micros: bigint | null;
  margin_account_id: string | null;
  margin_rate_per_minute_micros: bigint | null;
}

/**
 * One round trip: locks the wallets in account order (one lock order for every start, usage
 * batch and settlement) and reads them as they are once locked — through
 * `prepaid_lock_call_wallets` (migration 0021), whose read is a statement of its own, so it
 * sees a settlement or a pause that committed while this start waited — and the calls that
 * exist with the given ids. Before, these were two statements (two round trips).
 */
async function lockWalletsAndRead(
  tx: Tx,
  config: Config,
  accountIds: readonly string[],
  callIds: readonly string[],
): Promise<{ existing: Map<string, Call>; wallets: Map<string, CallWallet & { margin: AccountPrice["margin"] }> }> {
  // Postgres runs a UNION ALL's branches in order: the function (locks, then reads) first.
  const rows = await queryRows<StartRow>(
    tx,
    sql`select 'wallet' as kind, x.account_id as id, x.account_id, x.status, x.web_widget, x.max_concurrent_calls, x.balance_micros,
               x.held_micros, x.active_calls, x.in_flight_micros, null::bigint as rate_per_minute_micros, null::int as billed_seconds,
               null::bigint as billed_micros, null::bigint as hold_micros, null::text as margin_account_id, null::bigint as margin_rate_per_minute_micros,
               x.plan_w, x.plan_d, x.agency_id, x.agency_plan_w, x.agency_plan_d, x.resale_w, x.resale_d
        from prepaid_lock_call_wallets(${arrayLiteral(accountIds)}::text[]) x
        union all
        select 'call', c.id, c.account_id, c.status, null, null, null, null, null, null, c.rate_per_minute_micros, c.billed_seconds,
               c.billed_micros, c.hold_micros, c.margin_account_id, c.margin_rate_per_minute_micros, null, null, null, null, null, null, null
        from calls c where c.id = any(${arrayLiteral([...new Set(callIds)])}::text[])`,
  );
  const existing = new Map<string, Call>();
  const wallets = new Map<string, CallWallet & { margin: AccountPrice["margin"] }>();
  for (const r of rows) {
    if (r.kind === "call") {
      existing.set(r.id, callFromRow({ ...r, status: r.status as Call["status"], rate_per_minute_micros: r.rate_per_minute_micros!, billed_seconds: r.billed_seconds!, billed_micros: r.billed_micros!, hold_micros: r.hold_micros! }));
      continue;
    }
    const price = priceFromRow(config.rates, r.web_widget!, r);
    wallets.set(r.account_id, {
      status: r.status as CallWallet["status"],
      balanceMicros: BigInt(r.balance_micros!),
      inFlightMicros: r.in_flight_micros === null ? 0n : BigInt(r.in_flight_micros),
      heldMicros: BigInt(r.held_micros!),
      activeCalls: Number(r.active_calls),
      maxConcurrentCalls: r.max_concurrent_calls,
      ratePerMinuteMicros: price.ratePerMinuteMicros,
      margin: price.margin,
    });
  }
  return { existing, wallets };
}

/** Inserts authorised calls and adds their holds, slots and rates to their wallets: one statement. */
async function insertCalls(tx: Tx, admitted: readonly Admitted[]): Promise<Map<string, Call>> {
  if (admitted.length === 0) return new Map();
  const sorted = [...admitted].sort((a, b) => (a.id < b.id ? -1 : 1));
  const rows = await queryRows<CallRow>(
    tx,
    sql`with ins as (
          insert into calls (id, account_id, rate_per_minute_micros, hold_micros, margin_account_id, margin_rate_per_minute_micros)
          select * from unnest(${arrayLiteral(sorted.map((a) => a.id))}::text[], ${arrayLiteral(sorted.map((a) => a.accountId))}::text[],
                               ${arrayLiteral(sorted.map((a) => a.rate))}::bigint[], ${arrayLiteral(sorted.map((a) => a.hold))}::bigint[],
                               ${arrayLiteral(sorted.map((a) => a.margin?.accountId ?? null))}::text[],
                               ${arrayLiteral(sorted.map((a) => a.margin?.ratePerMinuteMicros ?? null))}::bigint[])
          on conflict (id) do nothing
          returning ${CALL_COLUMNS}
        ), added as (
          update wallets w set held_micros = w.held_micros + x.held, active_calls = w.active_calls + x.n, active_rate_micros = w.active_rate_micros + x.rate
          from (select account_id, sum(hold_micros)::bigint as held, count(*)::int as n, sum(rate_per_minute_micros)::bigint as rate from ins group by account_id) x
          where w.account_id = x.account_id
        )
        select * from ins`,
  );
  return new Map(rows.map((r) => [r.id, callFromRow(r)]));
}

async function findCalls(tx: Tx, ids: readonly string[]): Promise<Map<string, Call>> {
  const rows = await queryRows<CallRow>(tx, sql`select ${CALL_COLUMNS} from calls where id = any(${arrayLiteral(ids)}::text[])`);
  return new Map(rows.map((r) => [r.id, callFromRow(r)]));
}

/**
 * Gives back what ended calls took at their start: their holds, slots and rates. The one
 * place a call's end reaches its wallet (a final report, the idle timeout); the caller holds
 * the calls' locks and their wallets' (taken in account order), and passes each call once,
 * when it went from active to ended.
 */
export async function releaseCalls(tx: Tx, ended: readonly Call[]): Promise<void> {
  if (ended.length === 0) return;
  const byAccount = new Map<string, { held: Micros; n: number; rate: Micros }>();
  for (const call of ended) {
    const sum = byAccount.get(call.accountId) ?? { held: 0n, n: 0, rate: 0n };
    byAccount.set(call.accountId, { held: sum.held + call.holdMicros, n: sum.n + 1, rate: sum.rate + call.ratePerMinuteMicros });
  }
  const ids = [...byAccount.keys()].sort();
  await tx.execute(
    sql`update wallets w set held_micros = w.held_micros - x.held, active_calls = w.active_calls - x.n, active_rate_micros = w.active_rate_micros - x.rate
        from unnest(${arrayLiteral(ids)}::text[], ${arrayLiteral(ids.map((id) => byAccount.get(id)!.held))}::bigint[],
                    ${arrayLiteral(ids.map((id) => byAccount.get(id)!.n))}::int[], ${arrayLiteral(ids.map((id) => byAccount.get(id)!.rate))}::bigint[])
          as x(account_id, held, n, rate)
        where w.account_id = x.account_id`,
  );
}

/** 429 `concurrency_limited`: the account runs as many calls as it may; `used` and `limit` go in the error object. */
export const concurrencyLimited = (used: number, limit: number) =>
  new AppError("concurrency_limited", `the account runs ${used} ${used === 1 ? "call" : "calls"} at once, its limit; start this one when another ends`, undefined, undefined, { used, limit });
