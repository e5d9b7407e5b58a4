import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function entries(accountId: string): Promise<bigint> {
  const [row] = await queryRows<{ n: bigint }>(app.db.db, sql`select count(*) as n from ledger_entries where account_id = ${accountId}`);
  return row!.n;
}

const adjust = (accountId: string, body: unknown, key: string) =>
  app.request("POST", `/v1/accounts/${accountId}/adjustments`, {
    key: app.adminKey,
    body,
    headers: { "Idempotency-Key": key },
  });

describe("Idempotency-Key", () => {
  it("replays the stored response for the same key and body, applying the effect once", async () => {
    const { id } = await app.createAccount({ name: "Replay", type: "user" });
    const first = await adjust(id, { amount: "10.00", reason: "top" }, "idem-1");
    const again = await adjust(id, { reason: "top", amount: "10.00" }, "idem-1"); // same body, other key order
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await entries(id)).toBe(1n);
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: app.adminKey })).body.balance).toBe("10.00");
  });

  it("answers 409 idempotency_conflict for the same key with another body, writing nothing", async () => {
    const { id } = await app.createAccount({ name: "Conflict", type: "user" });
    await adjust(id, { amount: "10.00", reason: "top" }, "idem-2");
    const other = await adjust(id, { amount: "99.00", reason: "top" }, "idem-2");
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_conflict");
    expect(await entries(id)).toBe(1n);
  });

  it("applies parallel requests with one key once", async () => {
    const { id } = await app.createAccount({ name: "Parallel", type: "user" });
    const results = await Promise.all(Array.from({ length: 8 }, () => adjust(id, { amount: "3.00", reason: "race" }, "idem-3")));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await entries(id)).toBe(1n);
  });

  it("scopes keys to the caller, and does not store failed requests", async () => {
    const { id } = await app.createAccount({ name: "Scope", type: "user" });
    const bad = await adjust(id, { amount: "0.001", reason: "x" }, "idem-4");
    expect(bad.status).toBe(400);
    const good = await adjust(id, { amount: "1.00", reason: "x" }, "idem-4");
    expect(good.status).toBe(201);
    const created = await app.request("POST", "/v1/accounts", {
      key: app.adminKey,
      body: { name: "twice", type: "user" },
      headers: { "Idempotency-Key": "create-1" },
    });
    const replayed = await app.request("POST", "/v1/accounts", {
      key: app.adminKey,
      body: { name: "twice", type: "user" },
      headers: { "Idempotency-Key": "create-1" },
    });
    expect(replayed.body.id).toBe(created.body.id);
  });
});
