import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { newId } from "../ids/prefixed-id.js";
import type { Micros } from "../money/micros.js";

export type EntryType = "usage" | "recharge" | "adjustment";

export interface NewEntry {
  accountId: string;
  type: EntryType;
  /** Signed: credits are positive, debits negative. */
  amountMicros: Micros;
  /** The cause's own unique key: posting the same key twice applies it once. */
  entryKey: string;
  callId?: string | null;
  rechargeId?: string | null;
  reason?: string | null;
  /** Usage entries: the seconds billed by this entry. */
  seconds?: number | null;
}

export interface LedgerEntry {
  id: string;
  accountId: string;
  type: EntryType;
  amountMicros: Micros;
  balanceAfterMicros: Micros;
  entryKey: string;
  callId: string | null;
  rechargeId: string | null;
  reason: string | null;
  createdAt: string;
}

interface EntryRow {
  id: string;
  account_id: string;
  type: EntryType;
  amount_micros: bigint;
  balance_after_micros: bigint;
  entry_key: string;
  call_id: string | null;
  recharge_id: string | null;
  reason: string | null;
  created_at: unknown;
}

export function entryFromRow(row: EntryRow): LedgerEntry {
  return {
    id: row.id,
    accountId: row.account_id,
    type: row.type,
    amountMicros: BigInt(row.amount_micros),
    balanceAfterMicros: BigInt(row.balance_after_micros),
    entryKey: row.entry_key,
    callId: row.call_id,
    rechargeId: row.recharge_id,
    reason: row.reason,
    createdAt: toIso(row.created_at),
  };
}

export type PostResult = { applied: true; entry: LedgerEntry } | { applied: false; entry: LedgerEntry };

/**
 * Posts one entry and moves the cached balance by its amount, in the caller's transaction.
 * The balance is moved by `balance + amount` in SQL (never read, then written), which also
 * locks the wallet row, so concurrent posts on one wallet queue and each gets an exact
 * `balance_after`. An entry key already posted applies nothing and returns the first entry.
 */
export async function postEntry(tx: Tx, entry: NewEntry): Promise<PostResult> {
  if (entry.amountMicros === 0n) throw new Error("assertion: a ledger entry moves money");
  const rows = await queryRows<EntryRow>(
    tx,
    sql`with moved as (
          update wallets set balance_micros = balance_micros + ${entry.amountMicros}, updated_at = now()
          where account_id = ${entry.accountId}
          returning balance_micros
        )
        insert into ledger_entries
          (id, account_id, type, amount_micros, balance_after_micros, entry_key, call_id, recharge_id, reason, seconds)
        select ${newId("txn")}, ${entry.accountId}, ${entry.type}, ${entry.amountMicros}, moved.balance_micros,
               ${entry.entryKey}, ${entry.callId ?? null}, ${entry.rechargeId ?? null}, ${entry.reason ?? null}, ${entry.seconds ?? null}
        from moved
        on conflict (entry_key) do nothing
        returning *`,
  );
  if (rows[0]) return { applied: true, entry: entryFromRow(rows[0]) };

  // Nothing inserted: either the wallet does not exist or the key was posted before.
  const [existing] = await queryRows<EntryRow>(tx, sql`select * from ledger_entries where entry_key = ${entry.entryKey}`);
  if (!existing) throw new Error(`assertion: no wallet for account ${entry.accountId}`);
  // The CTE moved the balance before the insert was skipped; put it back within this transaction.
  await tx.execute(
    sql`update wallets set balance_micros = balance_micros - ${entry.amountMicros} where account_id = ${entry.accountId}`,
  );
  return { applied: false, entry: entryFromRow(existing) };
}

export async function balanceOf(tx: Tx, accountId: string): Promise<Micros | undefined> {
  const [row] = await queryRows<{ balance_micros: bigint }>(
    tx,
    sql`select balance_micros from wallets where account_id = ${accountId}`,
  );
  return row ? BigInt(row.balance_micros) : undefined;
}

/** Entries newest first, `limit` at a time; `beforeSeq` is the cursor from the previous page. */
export async function listEntries(
  tx: Tx,
  accountId: string,
  limit: number,
  beforeSeq: bigint | undefined,
): Promise<{ entries: LedgerEntry[]; nextSeq: bigint | undefined }> {
  const rows = await queryRows<EntryRow & { seq: bigint }>(
    tx,
    sql`select * from ledger_entries
        where account_id = ${accountId} ${beforeSeq === undefined ? sql`` : sql`and seq < ${beforeSeq}`}
        order by seq desc limit ${limit + 1}`,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { entries: page.map(entryFromRow), nextSeq: rows.length > limit && last ? BigInt(last.seq) : undefined };
}
