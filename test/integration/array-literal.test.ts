import { sql } from "drizzle-orm";
import { it, expect } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { arrayLiteral } from "../../src/db/array-literal.js";
import { testDatabase } from "../support/test-database.js";
it("round-trips quoted, null and bigint elements through unnest on this database", async () => {
  const db = await testDatabase();
  const rows = await queryRows<any>(db.db, sql`select * from unnest(${arrayLiteral(['a"b,c\\', null])}::text[], ${arrayLiteral([1n, -9007199254740993n])}::bigint[], ${arrayLiteral([1, 2])}::int[]) as t(x, y, z)`);
  expect(rows).toEqual([{ x: 'a"b,c\\', y: 1n, z: 1 }, { x: null, y: -9007199254740993n, z: 2 }]);
  await db.close();
});
