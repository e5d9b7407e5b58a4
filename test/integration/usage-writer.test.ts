import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../src/accounts/accounts.js";
import { startCall } from "../../src/billing/calls/calls.js";
import { UsageWriter } from "../../src/billing/usage/usage-writer.js";
import { loadConfig } from "../../src/config/config.js";
import { arrayLiteral } from "../../src/db/array-literal.js";
import { connect } from "../../src/db/connect.js";
import { inTransaction, queryRows } from "../../src/db/database.js";
import { balanceOf, postEntry } from "../../src/ledger/ledger.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { usd } from "../../src/money/micros.js";
import { onPostgres, testDatabase, type TestDatabase } from "../support/test-database.js";

const config = loadConfig({ PREPAID_SECRET: "test-secret-0123456789abcdefghijklmnopqrstuvwxyz" });
let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => {
  await db?.close();
});

/** An account with `balance` and `calls` started calls (at $0.18/min). */
async function accountWithCalls(balance: bigint, calls: number): Promise<{ accountId: string; callIds: string[] }> {
  return inTransaction(db.db, async (tx) => {
    const account = await createAccount(tx, { name: "writer", type: "user" });
    await postEntry(tx, { accountId: account.id, type: "adjustment", amountMicros: balance, entryKey: `w-${account.id}` });
    const callIds: string[] = [];
    for (let i = 0; i < calls; i++) callIds.push((await startCall(tx, config, account.id, undefined)).call.id);
    return { accountId: account.id, callIds };
  });
}

describe("the group-commit usage writer", () => {
  it("commits concurrent reports in few transactions, each answered with its own exact result", async () => {
    const writer = new UsageWriter(db.db, config, () => new Date());
    const { accountId, callIds } = await accountWithCalls(usd(1_000), 200);
    const outcomes = await Promise.all(callIds.map((callId) => writer.submit([{ callId, elapsedSeconds: 61, final: false }])));
    expect(writer.stats.reports).toBe(200);
    expect(writer.stats.batches).toBeLessThan(20); // 200 reports, batched
    for (const outcome of outcomes) {
      expect(outcome.kind).toBe("written");
      if (outcome.kind === "written") expect(outcome.results[0]).toMatchObject({ billedSeconds: 61, debitMicros: 183_000n, action: "continue" });
    }
    // Each answer carries the balance right after its own debit: all distinct, none lost.
    const balances = new Set(outcomes.map((o) => (o.kind === "written" ? o.results[0]!.balanceMicros : 0n)));
    expect(balances.size).toBe(200);
    expect(await balanceOf(db.db, accountId)).toBe(usd(1_000) - 200n * 183_000n);
    expect(await verifyLedger(db.db)).toEqual([]);
  });

  it("with a batch of one is the naive writer: one transaction per report, same totals", async () => {
    const writer = new UsageWriter(db.db, config, () => new Date(), { maxBatchEvents: 1 });
    const { accountId, callIds } = await accountWithCalls(usd(100), 20);
    await Promise.all(callIds.map((callId) => writer.submit([{ callId, elapsedSeconds: 30, final: false }])));
    expect(writer.stats.batches).toBe(20);
    expect(await balanceOf(db.db, accountId)).toBe(usd(100) - 20n * 90_000n);
  });

  it("fails a report for an unknown call alone, not its batch", async () => {
    const writer = new UsageWriter(db.db, config, () => new Date());
    const { accountId, callIds } = await accountWithCalls(usd(10), 3);
    const results = await Promise.allSettled([
      writer.submit([{ callId: callIds[0]!, elapsedSeconds: 60, final: false }]),
      writer.submit([{ callId: "call_does_not_exist", elapsedSeconds: 60, final: false }]),
      writer.submit([{ callId: callIds[1]!, elapsedSeconds: 60, final: false }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await balanceOf(db.db, accountId)).toBe(usd(10) - 2n * 180_000n);
  });

  it("claims an Idempotency-Key in the batch: a second report with the key replays the first answer", async () => {
    const writer = new UsageWriter(db.db, config, () => new Date());
    const { accountId, callIds } = await accountWithCalls(usd(10), 1);
    const claim = { scope: accountId, key: "usage-1", fingerprint: "f1", status: 200, render: (r: unknown) => ({ rendered: String((r as Array<{ debitMicros: bigint }>)[0]!.debitMicros) }) };
    const [a, b] = await Promise.all([
      writer.submit([{ callId: callIds[0]!, elapsedSeconds: 60, final: false }], claim),
      writer.submit([{ callId: callIds[0]!, elapsedSeconds: 120, final: false }], claim),
    ]);
    expect(a).toMatchObject({ kind: "written" });
    // The stored answer is the first answer's exact text (a replay is byte-identical).
    expect(b).toEqual({ kind: "replay", stored: { fingerprint: "f1", status: 200, bodyText: '{"rendered":"180000"}' } });
    expect(await balanceOf(db.db, accountId)).toBe(usd(10) - 180_000n);
  });

  it.runIf(onPostgres)("never deadlocks: two writers on their own connections cross the same wallets in opposite orders", async () => {
    const accounts = await Promise.all(Array.from({ length: 6 }, () => accountWithCalls(usd(1_000), 40)));
    const handles = await Promise.all([0, 1].map(() => connect({ databaseUrl: db.url, poolSize: 2 })));
    try {
      const writers = handles.map((h) => new UsageWriter(h.db, config, () => new Date(), { maxBatchEvents: 50 }));
      const reports = accounts.flatMap((a) => a.callIds.map((callId) => ({ callId, elapsedSeconds: 60, final: false })));
      const forward = [...reports];
      const backward = [...reports].reverse().map((r) => ({ ...r, elapsedSeconds: 120 }));
      await Promise.all([
        ...forward.map((r) => writers[0]!.submit([r])),
        ...backward.map((r) => writers[1]!.submit([r])),
      ]);
      for (const { accountId } of accounts) expect(await balanceOf(db.db, accountId)).toBe(usd(1_000) - 40n * 360_000n);
      const ids = arrayLiteral(accounts.map((a) => a.accountId));
      const [row] = await queryRows<{ n: bigint; wrong: bigint }>(
        db.db,
        sql`select count(*) as n, count(*) filter (where billed_seconds <> 120) as wrong from calls where account_id = any(${ids}::text[])`,
      );
      expect(row).toEqual({ n: 240n, wrong: 0n });
      expect(await verifyLedger(db.db)).toEqual([]);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  }, 60_000);
});
