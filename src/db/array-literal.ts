const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/**
 * A PostgreSQL array literal ('{"a","b"}') to send as one text parameter and cast
 * (`${arrayLiteral(ids)}::text[]`): Drizzle would spread a JS array into a list of
 * parameters, and the literal behaves the same on pg and PGlite. Every element is quoted,
 * so commas, quotes and backslashes inside values are safe; null becomes NULL.
 */
export function arrayLiteral(values: ReadonlyArray<string | number | bigint | boolean | null>): string {
  // One pass, and a test before the escape: a batch of 1000 debits builds six of these, and
  // map + replace on every value took 0.4 ms a pair where this takes 0.1 ms.
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) out += ",";
    if (value === null) {
      out += "NULL";
      continue;
    }
    const text = String(value);
    out += NEEDS_ESCAPE.test(text) ? `"${text.replace(ESCAPED, "\\$&")}"` : `"${text}"`;
  }
  return `${out}}`;
}
