import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createAccount } from "../../src/accounts/accounts.js";
import { approveCallStarts } from "../../src/billing/calls/calls.js";
import { lockCalls, writeCallsAndLockWallets } from "../../src/billing/usage/usage-queries.js";
import { loadConfig } from "../../src/config/config.js";
import { inTransaction, queryRows } from "../../src/db/database.js";
import { postEntry } from "../../src/ledger/ledger.js";
import { usd } from "../../src/money/micros.js";
import { testDatabase } from "../support/test-database.js";

// A usage report writes its call's totals and time of last report. That must be a HOT update
// (the new row version in the same page, no index touched): with an index on a column it
// writes, every report also wrote an entry into each index of calls, and the batch path's
// throughput fell (issue 19: migration 0015's index on last_report_at; 0022 replaced it).
describe("a usage report's update of its call", () => {
  it("is a HOT update: no index of calls covers what a report writes", async () => {
    const db = await testDatabase();
    try {
      const config = loadConfig({ PREPAID_SECRET: "x".repeat(32) });
      const account = await inTransaction(db.db, async (tx) => {
        const a = await createAccount(tx, { name: "hot", type: "user" });
        await postEntry(tx, { accountId: a.id, type: "adjustment", amountMicros: usd(5), entryKey: `open-${a.id}` });
        return a;
      });
      const callIds = ["call-hot-1", "call-hot-2", "call-hot-3"];
      await inTransaction(db.db, (tx) => approveCallStarts(tx, config, callIds.map((callId) => ({ accountId: account.id, callId }))));

      const counts = await inTransaction(db.db, async (tx) => {
        const calls = await lockCalls(tx, callIds);
        const touched = [...calls.values()].map((c) => ({ ...c, billedSeconds: 30, billedMicros: 80_000n }));
        await writeCallsAndLockWallets(tx, config.rates, touched, [account.id]);
        // This transaction's own counters: exact, not the statistics collector's delayed view.
        const [row] = await queryRows<{ updated: string | bigint; hot: string | bigint }>(
          tx,
          sql`select pg_stat_get_xact_tuples_updated('calls'::regclass) as updated, pg_stat_get_xact_tuples_hot_updated('calls'::regclass) as hot`,
        );
        return { updated: Number(row!.updated), hot: Number(row!.hot) };
      });
      expect(counts).toEqual({ updated: 3, hot: 3 });
      const written = await queryRows<{ billed_seconds: number }>(db.db, sql`select billed_seconds from calls where account_id = ${account.id} order by id`);
      expect(written.map((r) => r.billed_seconds)).toEqual([30, 30, 30]);
    } finally {
      await db.close();
    }
  });
});
