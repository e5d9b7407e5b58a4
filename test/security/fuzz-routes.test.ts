import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

/**
 * Every route of /openapi.json, fed arbitrary text — NUL, unicode, huge strings, cursors that
 * are not ours, dates out of range — in its path parameters, query and body fields: never a
 * 5xx, and a 4xx writes nothing. Bounded: a few runs per route, one request each.
 */
type Operation = { parameters?: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, { schema: unknown }> } };
type Doc = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, unknown> } };

const RUNS_PER_ROUTE = 8;
/** Tables whose rows a refused request may touch by design: the abuse counters, a key's last use. */
const COUNTED = ["rate_limit_counters", "api_keys"];

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("\u0000", "a\u0000b", "acct_\u0000", "9".repeat(40), "-1", "0000-01-01", "2026-02-31", "9999-99-99", "' or 1=1 --", "%00", "..", "Infinity", "NaN"),
  fc.string({ minLength: 2000, maxLength: 4000 }),
  // Cursors: base64url JSON of the right keys with wrong values, and garbage.
  fc.constantFrom({ seq: "99999999999999999999999" }, { createdAt: "not a date", id: "x" }, { createdAt: "0000-01-01T00:00:00Z", id: "a" }, { us: "1e99", id: "b" }, { seq: "\u0000" })
    .map((value) => Buffer.from(JSON.stringify(value)).toString("base64url")),
);
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nasty, { maxLength: 3 }));

function schemaOf(doc: Doc, schema: unknown): { properties?: Record<string, unknown> } {
  const ref = (schema as { $ref?: string }).$ref;
  return (ref ? doc.components?.schemas?.[ref.split("/").pop()!] : schema) as { properties?: Record<string, unknown> };
}

let app: TestApp;
let account: { id: string; key: string };
beforeAll(async () => {
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_RATE_LIMITS: "auth_failures=100000/1m,card_saves=100000/1h,top_ups=100000/1h" }, { worker: false });
  account = await app.createAccount({ name: "Fuzz", type: "agency" });
});
afterAll(async () => app?.close());

async function tableCounts(): Promise<Record<string, string>> {
  const tables = await queryRows<{ table_name: string }>(
    app.db.db,
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const counts: Record<string, string> = {};
  for (const { table_name } of tables) {
    if (COUNTED.includes(table_name)) continue;
    const [row] = await queryRows<{ n: bigint }>(app.db.db, sql.raw(`select count(*) as n from "${table_name}"`));
    counts[table_name] = String(row!.n);
  }
  const [balances] = await queryRows<{ s: bigint | null }>(app.db.db, sql`select sum(balance_micros)::bigint as s from wallets`);
  counts["wallets.balance"] = String(balances!.s);
  return counts;
}

describe("every route, fed arbitrary input", () => {
  it("never answers 5xx, and writes nothing when it answers 4xx", async () => {
    const doc = (await app.request("GET", "/openapi.json")).body as Doc;
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
    expect(routes.length).toBeGreaterThan(30);
    for (const { path, method, op } of routes) {
      const params = (op.parameters ?? []).filter((p) => p.in === "path" || p.in === "query");
      const body = op.requestBody?.content["application/json"]?.schema;
      const fields = Object.keys(body ? (schemaOf(doc, body).properties ?? {}) : {});
      await fc.assert(
        fc.asyncProperty(
          fc.record(Object.fromEntries(params.map((p) => [p.name, nasty]))),
          fc.record(Object.fromEntries(fields.map((f) => [f, jsonValue])), { requiredKeys: [] }),
          fc.boolean(),
          async (values, fieldValues, ownId) => {
            let url = path;
            const query = new URLSearchParams();
            for (const p of params) {
              const value = p.name === "id" && ownId ? account.id : String(values[p.name]);
              if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(value));
              else query.set(p.name, value);
            }
            const before = method === "GET" ? undefined : await tableCounts();
            const res = await fetch(`${app.server.url}${url}${query.size ? `?${query}` : ""}`, {
              method,
              headers: { Authorization: `Bearer ${account.key}`, "Content-Type": "application/json" },
              body: method === "GET" || method === "DELETE" ? undefined : JSON.stringify(fieldValues),
            });
            const text = await res.text();
            expect(res.status, `${method} ${url}: ${text.slice(0, 300)}`).toBeLessThan(500);
            if (before && res.status >= 400) expect(await tableCounts(), `${method} ${url} wrote on ${res.status}`).toEqual(before);
          },
        ),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
  }, 240_000);
});
