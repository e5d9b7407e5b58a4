import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../src/accounts/accounts.js";
import { connect } from "../../src/db/connect.js";
import { pgError } from "../support/pg-error.js";
import { inTransaction, queryRows } from "../../src/db/database.js";
import { balanceOf, postEntry } from "../../src/ledger/ledger.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { usd } from "../../src/money/micros.js";
import { onPostgres, testDatabase, type TestDatabase } from "../support/test-database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => {
  await db?.close();
});

async function newWallet(): Promise<string> {
  return inTransaction(db.db, async (tx) => (await createAccount(tx, { name: "wallet", type: "user" })).id);
}

describe("ledger", () => {
  it("moves the cached balance with each entry and records balance_after", async () => {
    const accountId = await newWallet();
    const credit = await inTransaction(db.db, (tx) =>
      postEntry(tx, { accountId, type: "adjustment", amountMicros: usd(12), entryKey: `k1-${accountId}` }),
    );
    const debit = await inTransaction(db.db, (tx) =>
      postEntry(tx, { accountId, type: "usage", amountMicros: -160_000n, entryKey: `k2-${accountId}` }),
    );
    expect(credit.applied && credit.entry.balanceAfterMicros).toBe(12_000_000n);
    expect(debit.applied && debit.entry.balanceAfterMicros).toBe(11_840_000n);
    expect(await balanceOf(db.db, accountId)).toBe(11_840_000n);
    expect(typeof debit.entry.amountMicros).toBe("bigint");
  });

  it("applies an entry key once: a second post changes nothing and returns the first entry", async () => {
    const accountId = await newWallet();
    const entry = { accountId, type: "adjustment" as const, amountMicros: usd(5), entryKey: `once-${accountId}` };
    const first = await inTransaction(db.db, (tx) => postEntry(tx, entry));
    const second = await inTransaction(db.db, (tx) => postEntry(tx, entry));
    expect(first.applied).toBe(true);
    expect(second.applied).toBe(false);
    expect(second.entry.id).toBe(first.entry.id);
    expect(await balanceOf(db.db, accountId)).toBe(usd(5));
  });

  it("rolls the balance back with the transaction that posted it", async () => {
    const accountId = await newWallet();
    await expect(
      inTransaction(db.db, async (tx) => {
        await postEntry(tx, { accountId, type: "adjustment", amountMicros: usd(7), entryKey: `rb-${accountId}` });
        throw new Error("cause failed after the entry");
      }),
    ).rejects.toThrow("cause failed");
    expect(await balanceOf(db.db, accountId)).toBe(0n);
    const rows = await queryRows(db.db, sql`select 1 from ledger_entries where account_id = ${accountId}`);
    expect(rows).toHaveLength(0);
  });

  it("is append-only: UPDATE, DELETE and TRUNCATE are rejected by the trigger", async () => {
    const accountId = await newWallet();
    await inTransaction(db.db, (tx) =>
      postEntry(tx, { accountId, type: "adjustment", amountMicros: usd(1), entryKey: `ao-${accountId}` }),
    );
    const failure = (query: Promise<unknown>) => query.then(() => undefined, (e: unknown) => pgError(e)?.message);
    expect(await failure(db.db.execute(sql`update ledger_entries set amount_micros = 2 where account_id = ${accountId}`))).toBe(
      "ledger_entries is append-only: UPDATE is not allowed",
    );
    expect(await failure(db.db.execute(sql`delete from ledger_entries where account_id = ${accountId}`))).toBe(
      "ledger_entries is append-only: DELETE is not allowed",
    );
    expect(await failure(db.db.execute(sql`truncate ledger_entries cascade`))).toBe(
      "ledger_entries is append-only: TRUNCATE is not allowed",
    );
    const [row] = await queryRows<{ amount_micros: bigint }>(
      db.db,
      sql`select amount_micros from ledger_entries where account_id = ${accountId}`,
    );
    expect(row?.amount_micros).toBe(usd(1));
  });

  it("refuses an entry whose account has no wallet, in a multi-row insert too, and never deletes a wallet", async () => {
    const accountId = await newWallet();
    const failure = (query: Promise<unknown>) => query.then(() => undefined, (e: unknown) => pgError(e)?.message);
    // One good row and one orphan in the same statement: the statement-level check refuses both.
    expect(
      await failure(
        db.db.execute(sql`insert into ledger_entries (id, account_id, type, amount_micros, balance_after_micros, entry_key)
                          values (${`txn_ok_${accountId}`}, ${accountId}, 'adjustment', 1, 1, ${`ok-${accountId}`}),
                                 (${`txn_orphan_${accountId}`}, 'acct_nowallet', 'adjustment', 1, 1, ${`orphan-${accountId}`})`),
      ),
    ).toBe("ledger_entries: an entry names an account that has no wallet");
    expect(await queryRows(db.db, sql`select 1 from ledger_entries where entry_key in (${`ok-${accountId}`}, ${`orphan-${accountId}`})`)).toHaveLength(0);
    expect(await failure(db.db.execute(sql`delete from wallets where account_id = ${accountId}`))).toBe("wallets are never deleted: DELETE is not allowed");
    expect(await failure(db.db.execute(sql`truncate wallets cascade`))).toBe("wallets are never deleted: TRUNCATE is not allowed");
    expect(await balanceOf(db.db, accountId)).toBe(0n);
  });

  it("reads bigint columns back as bigint beyond 2^53", async () => {
    const accountId = await newWallet();
    const big = 9_007_199_254_740_993n; // 2^53 + 1: a JS number would round it
    await inTransaction(db.db, (tx) => postEntry(tx, { accountId, type: "adjustment", amountMicros: big, entryKey: `big-${accountId}` }));
    expect(await balanceOf(db.db, accountId)).toBe(big);
  });

  it(
    `keeps the balance exact under ${onPostgres ? "8 concurrent connections" : "interleaved writers"} × 500 mixed credits and debits`,
    async () => {
      const accountId = await newWallet();
      // On PostgreSQL each writer has its own pool and so its own connection.
      const writers = await Promise.all(
        Array.from({ length: 8 }, async () => (onPostgres ? connect({ databaseUrl: db.url, poolSize: 1 }) : { db: db.db, close: async () => {} })),
      );
      let expected = 0n;
      const plans = writers.map((_, w) =>
        Array.from({ length: 500 }, (_, i) => {
          // Deterministic mix of credits and debits of odd sizes, so a lost update shows.
          const amount = (i + w) % 3 === 0 ? BigInt(1_000_003 + i) : -BigInt(333_331 + w * 7 + i);
          expected += amount;
          return { accountId, type: (amount > 0n ? "adjustment" : "usage") as "adjustment" | "usage", amountMicros: amount, entryKey: `c-${accountId}-${w}-${i}` };
        }),
      );
      try {
        await Promise.all(
          writers.map(async (writer, w) => {
            for (const entry of plans[w]!) await inTransaction(writer.db, (tx) => postEntry(tx, entry));
          }),
        );
      } finally {
        await Promise.all(writers.map((w) => w.close()));
      }
      expect(await balanceOf(db.db, accountId)).toBe(expected);
      const [sum] = await queryRows<{ total: bigint; n: bigint }>(
        db.db,
        sql`select sum(amount_micros)::bigint as total, count(*) as n from ledger_entries where account_id = ${accountId}`,
      );
      expect(sum?.total).toBe(expected);
      expect(sum?.n).toBe(4000n);
      expect(await verifyLedger(db.db)).toEqual([]);
    },
    120_000,
  );
});
