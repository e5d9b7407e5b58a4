import { sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createAccount } from "../../src/accounts/accounts.js";
import { approveCallStarts } from "../../src/billing/calls/calls.js";
import { loadConfig } from "../../src/config/config.js";
import { inTransaction, queryRows } from "../../src/db/database.js";
import { AppError } from "../../src/errors/app-error.js";
import { postEntry } from "../../src/ledger/ledger.js";
import { usd } from "../../src/money/micros.js";
import { onPostgres, testDatabase } from "../support/test-database.js";

// A call start waits for its wallet's lock; what committed meanwhile must be what it decides
// on. Issue 19 moved the lock and the read into one round trip (a function whose read is a
// statement of its own); a read in the locking statement's snapshot would see the account as
// it was before the wait.
describe.runIf(onPostgres)("a call start decides on what committed while it waited for the wallet", () => {
  it("an account paused while the start waits is refused as paused", async () => {
    const db = await testDatabase();
    const other = new pg.Client({ connectionString: db.url! });
    await other.connect();
    try {
      const config = loadConfig({ PREPAID_SECRET: "x".repeat(32) });
      const account = await inTransaction(db.db, async (tx) => {
        const a = await createAccount(tx, { name: "waits", type: "user" });
        await postEntry(tx, { accountId: a.id, type: "adjustment", amountMicros: usd(5), entryKey: `open-${a.id}` });
        return a;
      });
      // Another connection holds the wallet's lock and pauses the account.
      await other.query("begin");
      await other.query("select 1 from wallets where account_id = $1 for update", [account.id]);
      const start = inTransaction(db.db, (tx) => approveCallStarts(tx, config, [{ accountId: account.id, callId: "call-waits" }]));
      // The start is now waiting on the lock (it cannot have passed it).
      const waiting = async () =>
        (await other.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()")).rows[0].n as number;
      for (let i = 0; i < 100 && (await waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await waiting()).toBe(1);
      await other.query("update accounts set status = 'paused' where id = $1", [account.id]);
      await other.query("commit");

      const [answer] = await start;
      expect(answer).toBeInstanceOf(AppError);
      expect((answer as AppError).code).toBe("account_paused");
      expect(await queryRows(db.db, sql`select id from calls where account_id = ${account.id}`)).toEqual([]);
    } finally {
      await other.end();
      await db.close();
    }
  });
});
