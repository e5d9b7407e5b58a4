import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { arrayLiteral } from "../db/array-literal.js";
import { newId } from "../ids/prefixed-id.js";
import type { Micros } from "../money/micros.js";
import { planPosting, type PostingPlan } from "./posting.js";
import { assert } from "../errors/assert.js";
import { bySeq, pageOf } from "../db/keyset.js";

export type EntryType = "usage" | "recharge" | "adjustment" | "refund" | "dispute" | "grant" | "grant_expiry" | "rebilling_margin" | "fee";

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
  /** A rebilled debit and its margin entries: the transaction's batch (docs/plans.md). */
  batchId?: string | null;
  /** A rebilled debit: the part of it that is its agency's margin. */
  marginMicros?: bigint | null;
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

/** An entry as posted: its id and its wallet's balance right after it. */
export type PostedEntry = NewEntry & { id: string; balanceAfterMicros: Micros };

/**
 * The one writer of entries and balances. Posts `entries` on wallets the caller has locked
 * (`balancesBeforeMicros`: what it read under that lock) in one statement: the entries are
 * inserted and each wallet moves once, by the sum of its entries. Before: the plan's
 * assertions (every wallet locked, no zero amount, no key twice). After: every wallet moved
 * and landed where the plan said. An entry key posted before fails the statement (a unique
 * violation): callers whose cause may come twice use `postEntry`, which looks first.
 */
export async function postEntries(
  tx: Tx,
  entries: readonly NewEntry[],
  balancesBeforeMicros: ReadonlyMap<string, Micros>,
): Promise<{ posted: PostedEntry[]; walletMoves: PostingPlan["walletMoves"] }> {
  const plan = planPosting(balancesBeforeMicros, entries);
  const posted = entries.map((entry, i): PostedEntry => ({ ...entry, id: newId("txn"), balanceAfterMicros: plan.balancesAfterMicros[i]! }));
  if (posted.length === 0) return { posted, walletMoves: plan.walletMoves };
  const column = <T extends string | number | bigint | null>(pick: (e: PostedEntry) => T) => arrayLiteral(posted.map(pick));
  const moves = plan.walletMoves;
  // Data-modifying CTEs run to completion whether or not the outer statement reads them.
  // The rebilling columns only when an entry has them: a batch without rebilled calls sends
  // two arrays fewer.
  const rebilled = posted.some((e) => e.batchId != null);
  const moved = await queryRows<{ account_id: string; balance_micros: bigint }>(
    tx,
    sql`with new_entries as (
          insert into ledger_entries (id, account_id, type, amount_micros, balance_after_micros, entry_key, call_id, recharge_id, reason, seconds${rebilled ? sql`, batch_id, margin_micros` : sql``})
          select * from unnest(${column((e) => e.id)}::text[], ${column((e) => e.accountId)}::text[], ${column((e) => e.type)}::text[],
                               ${column((e) => e.amountMicros)}::bigint[], ${column((e) => e.balanceAfterMicros)}::bigint[],
                               ${column((e) => e.entryKey)}::text[], ${column((e) => e.callId ?? null)}::text[],
                               ${column((e) => e.rechargeId ?? null)}::text[], ${column((e) => e.reason ?? null)}::text[],
                               ${column((e) => e.seconds ?? null)}::int[]${
                                 rebilled ? sql`, ${column((e) => e.batchId ?? null)}::text[], ${column((e) => e.marginMicros ?? null)}::bigint[]` : sql``
                               })
          returning 1
        )
        update wallets w set balance_micros = w.balance_micros + d.delta, updated_at = now()
        from unnest(${arrayLiteral(moves.map((m) => m.accountId))}::text[], ${arrayLiteral(moves.map((m) => m.deltaMicros))}::bigint[]) as d(account_id, delta)
        where w.account_id = d.account_id
        returning w.account_id, w.balance_micros`,
  );
  assert(moved.length === moves.length, `${moves.length} wallets to move, ${moved.length} moved`);
  const expected = new Map(moves.map((m) => [m.accountId, m.afterMicros]));
  for (const row of moved) {
    assert(BigInt(row.balance_micros) === expected.get(row.account_id), `wallet ${row.account_id} moved to ${row.balance_micros}, expected ${expected.get(row.account_id)}`);
  }
  return { posted, walletMoves: moves };
}

/**
 * Posts one entry whose cause may come twice (a settlement, an adjustment): locks the wallet,
 * and an entry key posted before applies nothing and returns the first entry. Otherwise it is
 * `postEntries` of one. The key is looked up under the wallet's lock, so two posts of one key
 * cannot both miss it.
 */
export async function postEntry(tx: Tx, entry: NewEntry): Promise<PostResult> {
  // One round trip: the wallet locked, and the entry already posted under this key, if any.
  const [wallet] = await queryRows<{ wallet_balance_micros: bigint; posted_at: unknown } & (EntryRow | { [K in keyof EntryRow]: null })>(
    tx,
    sql`select w.balance_micros as wallet_balance_micros, now() as posted_at, e.*
        from wallets w left join ledger_entries e on e.entry_key = ${entry.entryKey}
        where w.account_id = ${entry.accountId} for update of w`,
  );
  assert(wallet, `account ${entry.accountId} has a wallet`);
  if (wallet.id !== null) return { applied: false, entry: entryFromRow(wallet as EntryRow) };
  const { posted } = await postEntries(tx, [entry], new Map([[entry.accountId, BigInt(wallet.wallet_balance_micros)]]));
  const [one] = posted;
  // created_at is the transaction's now(), read above with the lock.
  return {
    applied: true,
    entry: {
      id: one!.id,
      accountId: one!.accountId,
      type: one!.type,
      amountMicros: one!.amountMicros,
      balanceAfterMicros: one!.balanceAfterMicros,
      entryKey: one!.entryKey,
      callId: one!.callId ?? null,
      rechargeId: one!.rechargeId ?? null,
      reason: one!.reason ?? null,
      createdAt: toIso(wallet.posted_at),
    },
  };
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
    sql`select * from ledger_entries where account_id = ${accountId} ${bySeq(sql`seq`, beforeSeq, limit)}`,
  );
  const { page, next } = pageOf(rows, limit, (last) => BigInt(last.seq));
  return { entries: page.map(entryFromRow), nextSeq: next };
}
