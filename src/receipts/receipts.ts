import { sql } from "drizzle-orm";
import { inTransaction, queryRows, type Database, type Tx } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { assert } from "../errors/assert.js";
import type { Micros } from "../money/micros.js";

/** A receipt as it is shown and printed: what was paid, when, with which card, and the balance then. */
export interface Receipt {
  operator: string;
  number: bigint;
  rechargeId: string;
  accountId: string;
  accountName: string;
  trigger: "manual" | "auto" | "threshold_sync";
  amountMicros: Micros;
  balanceAfterMicros: Micros;
  card: { brand: string; last4: string } | null;
  /** When the charge succeeded (the settlement). */
  paidAt: string;
}

/** How a receipt number is written: six digits at least, so they sort and read alike. */
export function receiptNumberText(number: bigint): string {
  return number.toString().padStart(6, "0");
}

interface ReceiptRow {
  operator: string;
  number: bigint;
  recharge_id: string;
  account_id: string;
  account_name: string;
  trigger: Receipt["trigger"];
  amount_micros: bigint;
  balance_after_micros: bigint;
  card_brand: string | null;
  card_last4: string | null;
  paid_at: unknown;
}

const receiptFromRow = (r: ReceiptRow): Receipt => ({
  operator: r.operator,
  number: BigInt(r.number),
  rechargeId: r.recharge_id,
  accountId: r.account_id,
  accountName: r.account_name,
  trigger: r.trigger,
  amountMicros: BigInt(r.amount_micros),
  balanceAfterMicros: BigInt(r.balance_after_micros),
  card: r.card_brand && r.card_last4 ? { brand: r.card_brand, last4: r.card_last4 } : null,
  paidAt: toIso(r.paid_at),
});

/**
 * Issues the receipt of a charge that just succeeded (docs/concepts.md), in its settlement's
 * transaction, which holds the charge's lock: the operator's next number, taken from its
 * counter row (created at the first receipt). The row stays locked until the settlement
 * commits, so numbers are consecutive in commit order, and one that rolls back gives its
 * number back: no gaps. What it says is fixed now: the amount, the card charged and the
 * balance right after the credit (its `recharge` entry).
 */
export async function issueReceipt(tx: Tx, operator: string, rechargeId: string): Promise<void> {
  const [issued] = await queryRows<{ number: bigint }>(
    tx,
    sql`with next as (
          insert into receipt_counters (operator, last_number) values (${operator}, 1)
          on conflict (operator) do update set last_number = receipt_counters.last_number + 1
          returning last_number
        )
        insert into receipts (operator, number, recharge_id, account_id, amount_micros, balance_after_micros, card_brand, card_last4)
        select ${operator}, next.last_number, r.id, r.account_id, r.amount_micros, e.balance_after_micros, pm.brand, pm.last4
        from next, recharges r
        join ledger_entries e on e.entry_key = 'recharge:' || r.id
        left join payment_methods pm on pm.id = r.payment_method_id
        where r.id = ${rechargeId} and r.status = 'succeeded'
        returning number`,
  );
  // A succeeded charge has its credit entry; without it the counter moved with no receipt (a gap).
  assert(issued, `succeeded recharge ${rechargeId} has a credit entry to put on its receipt`);
}

/** The receipt of an account's charge, if it has one (a succeeded charge does). */
export async function findReceipt(tx: Tx, accountId: string, rechargeId: string): Promise<Receipt | undefined> {
  const [row] = await queryRows<ReceiptRow>(
    tx,
    sql`select rc.operator, rc.number, rc.recharge_id, rc.account_id, a.name as account_name, r.trigger, rc.amount_micros,
               rc.balance_after_micros, rc.card_brand, rc.card_last4, r.settled_at as paid_at
        from receipts rc join recharges r on r.id = rc.recharge_id join accounts a on a.id = rc.account_id
        where rc.recharge_id = ${rechargeId} and rc.account_id = ${accountId}`,
  );
  return row ? receiptFromRow(row) : undefined;
}

/** Succeeded charges given receipts per pass when an upgrade catches up (see backfillReceipts). */
const BACKFILL_PER_PASS = 100;

/**
 * Receipts for charges that succeeded before receipts existed (migration 0019), in the order
 * they were settled, at most `BACKFILL_PER_PASS` per call; returns how many it issued. It
 * holds the operator's counter row first, so processes starting together take turns and
 * each sees what the one before it issued; it locks no charge (a succeeded charge does not
 * change), so it cannot deadlock with a settlement, which takes the counter last.
 */
export async function backfillReceipts(tx: Tx, operator: string): Promise<number> {
  await tx.execute(sql`insert into receipt_counters (operator, last_number) values (${operator}, 0) on conflict (operator) do nothing`);
  await tx.execute(sql`select 1 from receipt_counters where operator = ${operator} for update`);
  const missing = await queryRows<{ id: string }>(
    tx,
    sql`select r.id from recharges r
        where r.status = 'succeeded' and not exists (select 1 from receipts rc where rc.recharge_id = r.id)
        order by r.settled_at, r.id limit ${BACKFILL_PER_PASS}`,
  );
  for (const { id } of missing) await issueReceipt(tx, operator, id);
  return missing.length;
}

/** At most this many passes at start (10 000 charges): the rest waits for the next start. */
const BACKFILL_PASSES = 100;

/** Catches up the receipts of charges settled before receipts existed, once, at a worker's start. */
export async function backfillAllReceipts(db: Database, operator: string): Promise<number> {
  let issued = 0;
  for (let pass = 0; pass < BACKFILL_PASSES; pass++) {
    const n = await inTransaction(db, (tx) => backfillReceipts(tx, operator));
    issued += n;
    if (n === 0) break;
  }
  return issued;
}
