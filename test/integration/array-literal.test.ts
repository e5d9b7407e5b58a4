import { sql } from "drizzle-orm";
import fc from "fast-check";
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

it("round-trips any text the database can hold, in order (braces, quotes, backslashes, spaces, NULL-like words)", async () => {
  const db = await testDatabase();
  // PostgreSQL text cannot hold U+0000; everything else must come back as it went in.
  const text = fc.oneof(fc.string({ unit: "grapheme" }), fc.constantFrom("NULL", "null", " ", "{}", '"', "\\", ",", "a\\\"b"));
  const element = fc.oneof(text.map((s) => s.replaceAll("\u0000", "")), fc.constant(null));
  await fc.assert(
    fc.asyncProperty(fc.array(element, { maxLength: 20 }), async (values) => {
      const rows = await queryRows<{ x: string | null }>(db.db, sql`select x from unnest(${arrayLiteral(values)}::text[]) with ordinality as t(x, n) order by n`);
      expect(rows.map((r) => r.x)).toEqual(values);
    }),
    { numRuns: 150 },
  );
  await db.close();
});
