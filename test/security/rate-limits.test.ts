import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARDS, settled } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Small limits so the test stays short; the counting is the same as with docs/concepts.md's defaults.
const LIMITS = "card_saves=3/1h,top_ups=2/1h,auth_failures=5/1m,saved_cards=2";
let app: TestApp;
let second: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_RATE_LIMITS: LIMITS });
  // Another process on the same database: counts are shared, not per process.
  second = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_RATE_LIMITS: LIMITS, PREPAID_ADMIN_KEY: app.adminKey }, { db: app.db, worker: false });
});
afterAll(async () => {
  await second?.close();
  await app?.close();
});

const card = (number: string) => ({ card: { number, exp_month: 12, exp_year: 2034, cvc: "123" } });

describe("abuse limits, counted across processes", () => {
  it("card saves per account per hour, then 429 with Retry-After; and a cap on saved cards", async () => {
    const { id, key } = await app.createAccount({ name: "Cards", type: "user" });
    const path = `/v1/accounts/${id}/payment-methods`;
    expect((await app.request("POST", path, { key, body: card(CARDS.visa) })).status).toBe(201);
    expect((await second.request("POST", path, { key, body: card(CARDS.declinesOnCharge) })).status).toBe(201);
    const capped = await app.request("POST", path, { key, body: card(CARDS.visa) });
    expect(capped.status).toBe(400);
    expect(capped.body.error.message).toBe("at most 2 saved cards per account; remove one first");
    const limited = await second.request("POST", path, { key, body: card(CARDS.visa) });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(3600);
    expect((await app.request("GET", path, { key })).body.data).toHaveLength(2);
  });

  it("manual top-ups per account per hour: the third is refused and charges nothing", async () => {
    const { id, key } = await app.createAccount({ name: "Top-ups", type: "user" });
    expect((await app.request("POST", `/v1/accounts/${id}/payment-methods`, { key, body: card(CARDS.visa) })).status).toBe(201);
    const path = `/v1/accounts/${id}/recharges`;
    // One recharge in flight per account: each top-up is let settle before the next.
    expect((await app.request("POST", path, { key, body: { amount: "10" } })).status).toBe(201);
    await settled(app, { id, key });
    expect((await second.request("POST", path, { key, body: { amount: "10" }, headers: { "Idempotency-Key": "t2" } })).status).toBe(201);
    await settled(app, { id, key });
    // A replay is not a new top-up.
    expect((await app.request("POST", path, { key, body: { amount: "10" }, headers: { "Idempotency-Key": "t2" } })).status).toBe(201);
    const third = await app.request("POST", path, { key, body: { amount: "10" } });
    expect(third.status).toBe(429);
    expect((await app.request("GET", `${path}?limit=100`, { key })).body.data).toHaveLength(2);
  });

  it("failed authentications per client IP, then 429 even for one more wrong key", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await (i % 2 ? second : app).request("GET", "/v1/pricing", { key: `ppk_wrong_${i}` });
      expect(res.status).toBe(401);
    }
    const over = await app.request("GET", "/v1/pricing", { key: "ppk_wrong_again" });
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).not.toBeNull();
    // A valid key from the same address is still served.
    expect((await app.request("GET", "/v1/pricing", { key: app.adminKey })).status).toBe(200);
  });
});
