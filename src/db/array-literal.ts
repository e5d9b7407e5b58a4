/**
 * A PostgreSQL array literal ('{"a","b"}') to send as one text parameter and cast
 * (`${arrayLiteral(ids)}::text[]`): Drizzle would spread a JS array into a list of
 * parameters, and the literal behaves the same on pg and PGlite. Every element is quoted,
 * so commas, quotes and backslashes inside values are safe; null becomes NULL.
 */
export function arrayLiteral(values: ReadonlyArray<string | number | bigint | boolean | null>): string {
  const items = values.map((v) => (v === null ? "NULL" : `"${String(v).replace(/["\\]/g, "\\$&")}"`));
  return `{${items.join(",")}}`;
}
