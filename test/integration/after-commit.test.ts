import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { afterCommit } from "../../src/db/after-commit.js";
import { inTransaction, queryRows } from "../../src/db/database.js";
import { testDatabase, type TestDatabase } from "../support/test-database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => db?.close());

describe("afterCommit", () => {
  it("runs an effect after its transaction committed, never when it rolled back", async () => {
    const seen: string[] = [];
    await inTransaction(db.db, async (tx) => {
      afterCommit(tx, () => seen.push("committed"));
      await tx.execute(sql`select 1`);
      expect(seen).toEqual([]); // not before the commit
    });
    expect(seen).toEqual(["committed"]);

    await expect(
      inTransaction(db.db, async (tx) => {
        afterCommit(tx, () => seen.push("rolled back"));
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(seen).toEqual(["committed"]);
  });

  it("runs at once outside a transaction; a throwing effect does not fail the change", async () => {
    const seen: string[] = [];
    afterCommit(db.db, () => seen.push("now"));
    expect(seen).toEqual(["now"]);
    const answer = await inTransaction(db.db, async (tx) => {
      afterCommit(tx, () => {
        throw new Error("observer broke");
      });
      afterCommit(tx, () => seen.push("still runs"));
      return (await queryRows<{ n: number }>(tx, sql`select 1 as n`))[0]!.n;
    });
    expect(answer).toBe(1);
    expect(seen).toEqual(["now", "still runs"]);
  });
});
