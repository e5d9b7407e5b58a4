import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { arrayLiteral } from "../../db/array-literal.js";
import { queryRows, type Tx } from "../../db/database.js";
import { AppError, notFound } from "../../errors/app-error.js";
import { assert } from "../../errors/assert.js";
import { newId } from "../../ids/prefixed-id.js";
import { balanceOf, postEntry } from "../../ledger/ledger.js";
import { logMoneyEvent } from "../../logging/money-events.js";
import { formatMicros, type Micros } from "../../money/micros.js";
import { afterBalanceChange } from "../recharges/auto-recharge.js";
import { duePeriods, periodStart } from "./fee-periods.js";

export interface RecurringFee {
  id: string;
  accountId: string;
  name: string;
  amountMicros: Micros;
  interval: "month";
  /** An agency's fee on its subaccount: the agency and what of each charge is its margin. */
  margin: { accountId: string; micros: Micros } | null;
  pricePlanId: string | null;
  anchorAt: Date;
  periodsCharged: number;
  nextPeriodAt: Date;
  stoppedAt: Date | null;
  createdAt: Date;
}

interface FeeRow {
  id: string;
  account_id: string;
  name: string;
  amount_micros: bigint | string;
  interval: "month";
  margin_account_id: string | null;
  margin_micros: bigint | string | null;
  price_plan_id: string | null;
  anchor_at: Date | string;
  periods_charged: number;
  next_period_at: Date | string;
  stopped_at: Date | string | null;
  created_at: Date | string;
}

const feeFromRow = (r: FeeRow): RecurringFee => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  amountMicros: BigInt(r.amount_micros),
  interval: r.interval,
  margin: r.margin_account_id === null || r.margin_micros === null ? null : { accountId: r.margin_account_id, micros: BigInt(r.margin_micros) },
  pricePlanId: r.price_plan_id,
  anchorAt: new Date(r.anchor_at),
  periodsCharged: Number(r.periods_charged),
  nextPeriodAt: new Date(r.next_period_at),
  stoppedAt: r.stopped_at === null ? null : new Date(r.stopped_at),
  createdAt: new Date(r.created_at),
});

/** Fees an account may have running at once: a price list, not a usage stream. */
export const MAX_ACTIVE_FEES = 50;

/** Periods one charge pass takes of one fee: a worker down for 2 years catches up in one pass, a longer gap in several. */
export const MAX_PERIODS_PER_PASS = 24;

/**
 * A monthly fee on an account, in the caller's transaction. Its first period starts now and is
 * charged in this same transaction: the fee and its first debit exist together or not at all.
 */
export async function createFee(
  tx: Tx,
  config: Config,
  input: { accountId: string; name: string; amountMicros: Micros; margin: RecurringFee["margin"]; pricePlanId: string | null },
  now: Date,
): Promise<RecurringFee> {
  assert(input.amountMicros > 0n, "a fee's amount is positive");
  assert(!input.margin || (input.margin.micros >= 0n && input.margin.micros <= input.amountMicros), "a fee's margin is within its amount");
  await lockWallets(tx, [input.accountId, ...(input.margin ? [input.margin.accountId] : [])]);
  const [active] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from recurring_fees where account_id = ${input.accountId} and stopped_at is null`);
  if (Number(active!.n) >= MAX_ACTIVE_FEES) throw new AppError("invalid_request", `at most ${MAX_ACTIVE_FEES} running fees on an account`);
  const id = newId("fee");
  await tx.execute(
    // created_at is the anchor itself: the first period starts when the fee is created.
    sql`insert into recurring_fees (id, account_id, name, amount_micros, interval, margin_account_id, margin_micros, price_plan_id, anchor_at, next_period_at, created_at)
        values (${id}, ${input.accountId}, ${input.name}, ${input.amountMicros}, 'month', ${input.margin?.accountId ?? null}, ${input.margin?.micros ?? null},
                ${input.pricePlanId}, ${now}, ${now}, ${now})`,
  );
  await chargeFee(tx, config, id, now);
  return (await findFee(tx, input.accountId, id))!;
}

async function lockWallets(tx: Tx, accountIds: string[]): Promise<void> {
  // Account order: the lock order of every money path. One statement for both wallets.
  await tx.execute(sql`select 1 from wallets where account_id = any(${arrayLiteral([...new Set(accountIds)])}::text[]) order by account_id for update`);
}

export async function findFee(tx: Tx, accountId: string, feeId: string): Promise<RecurringFee | undefined> {
  const [row] = await queryRows<FeeRow>(tx, sql`select * from recurring_fees where id = ${feeId} and account_id = ${accountId}`);
  return row ? feeFromRow(row) : undefined;
}

/** An account's fees, running first, then stopped; newest first within each. */
export async function listFees(tx: Tx, accountId: string): Promise<RecurringFee[]> {
  const rows = await queryRows<FeeRow>(
    tx,
    sql`select * from recurring_fees where account_id = ${accountId} order by (stopped_at is null) desc, created_at desc, id limit 200`,
  );
  return rows.map(feeFromRow);
}

/** Stops a fee from its next period (the current one was charged at its start). Stopping it again changes nothing. */
export async function stopFee(tx: Tx, accountId: string, feeId: string, now: Date): Promise<RecurringFee> {
  const fee = await findFee(tx, accountId, feeId);
  if (!fee) throw notFound("fee");
  if (fee.stoppedAt) return fee;
  await tx.execute(sql`update recurring_fees set stopped_at = ${now} where id = ${feeId} and stopped_at is null`);
  return (await findFee(tx, accountId, feeId))!;
}

/**
 * Charges every period of the fee that has begun and is not charged yet (at most
 * MAX_PERIODS_PER_PASS), in the caller's transaction. Wallets first (the account's and its
 * agency's, in account order), then the fee's row: two workers queue on the locks, and the
 * second finds the periods charged. Each period is a `fee` entry keyed `fee:<id>:<period>`
 * (posting a key twice applies it once) and, for an agency's fee, a `rebilling_margin` entry
 * of its margin in the same transaction. Then the balance rules: a fee may start an automatic
 * charge, and may take the balance below zero; it never pauses the account by itself.
 * Returns the periods charged.
 */
export async function chargeFee(tx: Tx, config: Config, feeId: string, now: Date): Promise<number[]> {
  const [head] = await queryRows<{ account_id: string; margin_account_id: string | null }>(tx, sql`select account_id, margin_account_id from recurring_fees where id = ${feeId}`);
  if (!head) return [];
  await lockWallets(tx, [head.account_id, ...(head.margin_account_id ? [head.margin_account_id] : [])]);
  const [row] = await queryRows<FeeRow>(tx, sql`select * from recurring_fees where id = ${feeId} for update`);
  const fee = feeFromRow(row!);
  const due = duePeriods(fee, now, MAX_PERIODS_PER_PASS);
  if (due.length === 0) return [];
  const balanceBefore = (await balanceOf(tx, fee.accountId))!;
  const agencyBefore = fee.margin ? (await balanceOf(tx, fee.margin.accountId))! : undefined;
  let charged = 0;
  for (const k of due) {
    const batchId = fee.margin ? newId("bat") : null;
    const posted = await postEntry(tx, {
      accountId: fee.accountId,
      type: "fee",
      amountMicros: -fee.amountMicros,
      entryKey: `fee:${fee.id}:${k}`,
      reason: `${fee.name} (${periodStart(fee.anchorAt, k).toISOString().slice(0, 10)})`,
      batchId,
      marginMicros: fee.margin?.micros ?? null,
    });
    if (!posted.applied) continue;
    charged += 1;
    if (fee.margin && fee.margin.micros > 0n) {
      await postEntry(tx, {
        accountId: fee.margin.accountId,
        type: "rebilling_margin",
        amountMicros: fee.margin.micros,
        entryKey: `rebilling_margin:${batchId}:${fee.margin.accountId}`,
        batchId,
        reason: `${fee.name} on ${fee.accountId}`,
      });
    }
    logMoneyEvent(tx, "fee.charged", { fee_id: fee.id, account_id: fee.accountId, period: String(k), amount: formatMicros(fee.amountMicros) });
  }
  const next = due[due.length - 1]! + 1;
  await tx.execute(sql`update recurring_fees set periods_charged = ${next}, next_period_at = ${periodStart(fee.anchorAt, next)} where id = ${fee.id}`);
  if (charged > 0) await afterBalanceChange(tx, config, fee.accountId, balanceBefore, now, { automaticCharge: true, pause: false });
  // The agency's margin is a credit like any: its balance rules run too (an alert recovered, a pause lifted), as in a usage batch.
  if (charged > 0 && fee.margin && fee.margin.micros > 0n) {
    await afterBalanceChange(tx, config, fee.margin.accountId, agencyBefore!, now);
  }
  return due;
}

/** Fees with a period begun and not charged, oldest first: what a worker pass takes (on recurring_fees_due_idx, whose predicate is this filter's). */
export async function dueFeeIds(tx: Tx, now: Date, limit: number): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`select id from recurring_fees where next_period_at <= ${now} and (stopped_at is null or next_period_at < stopped_at)
        order by next_period_at, id limit ${limit}`,
  );
  return rows.map((r) => r.id);
}
