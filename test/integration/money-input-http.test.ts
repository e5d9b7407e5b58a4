import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
let accountId: string;
let accountKey: string;
beforeAll(async () => {
  app = await startTestApp();
  ({ id: accountId, key: accountKey } = await app.createAccount({ name: "Money input", type: "user" }));
});
afterAll(async () => {
  await app?.close();
});

async function entryCount(): Promise<bigint> {
  const [row] = await queryRows<{ n: bigint }>(app.db.db, sql`select count(*) as n from ledger_entries where account_id = ${accountId}`);
  return row!.n;
}

describe("bad money input", () => {
  // Raw JSON text, so forms JSON.stringify would never write (1e3, a 30-digit number) reach the server.
  it.each([
    ['"0.001"', "must be whole cents"],
    ["0.001", "must be whole cents"],
    ["1e3", "not a plain decimal"],
    ['"1e3"', "must be a plain decimal"],
    ['"abc"', "must be a plain decimal"],
    ["null", 'must be a decimal string such as "50.00"'],
    ['"Infinity"', "must be a plain decimal"],
    ["Infinity", "Malformed JSON"],
    ["NaN", "Malformed JSON"],
    ["123456789012345678901234567890", "not a plain decimal"],
    ['"123456789012345678901234567890"', "must be a plain decimal"],
    ['" 5 "', "must be a plain decimal"],
    ["true", 'must be a decimal string such as "50.00"'],
    ['"1000000000.01"', "must be at most"],
  ])("amount %s → 400 invalid_request and nothing written", async (amountJson, reason) => {
    const before = await entryCount();
    const res = await app.request("POST", `/v1/accounts/${accountId}/adjustments`, {
      key: app.adminKey,
      rawBody: `{"amount": ${amountJson}, "reason": "probe"}`,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.message).toContain(reason);
    expect(await entryCount()).toBe(before);
  });

  it("accepts a JSON number with at most 2 decimals, and a signed adjustment", async () => {
    const credit = await app.request("POST", `/v1/accounts/${accountId}/adjustments`, {
      key: app.adminKey,
      rawBody: '{"amount": 12.50, "reason": "number form"}',
    });
    expect(credit.status).toBe(201);
    expect(credit.body.amount).toBe("12.50");
    const debit = await app.request("POST", `/v1/accounts/${accountId}/adjustments`, {
      key: app.adminKey,
      body: { amount: "-2.25", reason: "correction" },
    });
    expect(debit.status).toBe(201);
    expect(debit.body.balance_after).toBe("10.25");
  });

  it("refuses a zero adjustment, unknown fields and malformed JSON", async () => {
    const before = await entryCount();
    for (const rawBody of ['{"amount": "0", "reason": "nothing"}', '{"amount": "1", "reason": "x", "extra": 1}', "{not json", ""]) {
      const res = await app.request("POST", `/v1/accounts/${accountId}/adjustments`, { key: app.adminKey, rawBody });
      expect(res.status, rawBody).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect(await entryCount()).toBe(before);
  });

  it("names the refused field in the envelope, whether the schema or a rule refused it", async () => {
    const schema = await app.request("POST", `/v1/accounts/${accountId}/adjustments`, { key: app.adminKey, body: { amount: "0.001", reason: "x" } });
    expect(schema.body.error).toMatchObject({ code: "invalid_request", field: "amount" });
    const rule = await app.request("POST", `/v1/accounts/${accountId}/adjustments`, { key: app.adminKey, body: { amount: "0", reason: "x" } });
    expect(rule.body.error).toMatchObject({ code: "invalid_request", field: "amount", message: "amount: an adjustment must move money" });
    const range = await app.request("PUT", `/v1/accounts/${accountId}/auto-recharge`, { key: accountKey, body: { threshold: "1000000" } });
    expect(range.body.error).toMatchObject({ code: "invalid_request", field: "threshold" });
    const malformed = await app.request("POST", `/v1/accounts/${accountId}/adjustments`, { key: app.adminKey, rawBody: "{not json" });
    expect(malformed.body.error.field).toBeUndefined();
  });
});
