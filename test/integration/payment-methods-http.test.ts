import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, CARDS, saveAutoRecharge } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox" });
});
afterAll(async () => {
  await app?.close();
});

const save = (account: { id: string; key: string }, card: Record<string, unknown>) =>
  app.request("POST", `/v1/accounts/${account.id}/payment-methods`, { key: account.key, body: { card } });

describe("payment methods", () => {
  it("saves every test card without charging it, keeping brand, last 4 and expiry only", async () => {
    const account = await accountWith(app);
    for (const number of Object.values(CARDS)) {
      const res = await save(account, { number: number.replace(/(\d{4})/g, "$1 ").trim(), exp_month: 1, exp_year: 2031, cvc: "999" });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ brand: "visa", last4: number.slice(-4), exp_month: 1, exp_year: 2031 });
      expect(res.body.id).toMatch(/^pm_/);
    }
    const [charges] = await queryRows<{ n: bigint }>(app.db.db, sql`select count(*) as n from sandbox_charges`);
    expect(charges!.n).toBe(0n);
    const list = await app.request("GET", `/v1/accounts/${account.id}/payment-methods`, { key: account.key });
    expect(list.body.data).toHaveLength(7);
    expect(list.body.data.filter((c: { is_default: boolean }) => c.is_default)).toHaveLength(1);
    expect(list.body.data.at(-1).is_default).toBe(true); // the first card saved
  });

  it.each([
    [{ number: "4242424242424241", exp_month: 12, exp_year: 2034, cvc: "123" }, "card.number: not a valid card number"],
    [{ number: "4242", exp_month: 12, exp_year: 2034, cvc: "123" }, "card.number: must be 12 to 19 digits"],
    [{ number: "4242424242424242", exp_month: 1, exp_year: 2020, cvc: "123" }, "card: the card has expired"],
    [{ number: "4242424242424242", exp_month: 12, exp_year: 2034 }, "card.cvc"],
    [{ number: "4242424242424242", exp_month: 13, exp_year: 2034, cvc: "123" }, "card.exp_month"],
    [{ number: "4242424242424242", exp_month: 12, exp_year: 2034, cvc: "12" }, "card.cvc: must be 3 or 4 digits"],
  ])("refuses %j with 400, saving nothing and never echoing the number", async (card, message) => {
    const account = await accountWith(app);
    const res = await save(account, card);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.message).toContain(message);
    expect(JSON.stringify(res.body)).not.toContain(String(card.number).slice(0, 12));
    const list = await app.request("GET", `/v1/accounts/${account.id}/payment-methods`, { key: account.key });
    expect(list.body.data).toHaveLength(0);
  });

  it("makes a card the default on request, promotes another when the default is removed", async () => {
    const account = await accountWith(app);
    const first = await addCard(app, account, CARDS.visa);
    const second = await addCard(app, account, CARDS.declined, true);
    expect(first.is_default).toBe(true);
    expect(second.is_default).toBe(true);
    const del = await app.request("DELETE", `/v1/accounts/${account.id}/payment-methods/${second.id}`, { key: account.key });
    expect(del.status).toBe(200);
    const list = await app.request("GET", `/v1/accounts/${account.id}/payment-methods`, { key: account.key });
    expect(list.body.data.map((c: { id: string; is_default: boolean }) => [c.id, c.is_default])).toEqual([[first.id, true]]);
    const again = await app.request("DELETE", `/v1/accounts/${account.id}/payment-methods/${second.id}`, { key: account.key });
    expect(again.status).toBe(404);
  });

  it("refuses to remove the last card while Auto-Recharge is on", async () => {
    const account = await accountWith(app, { balance: "50.00" });
    const card = await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    const del = await app.request("DELETE", `/v1/accounts/${account.id}/payment-methods/${card.id}`, { key: account.key });
    expect(del.status).toBe(400);
    expect(del.body.error.code).toBe("payment_method_required");
    await saveAutoRecharge(app, account, { enabled: false });
    expect((await app.request("DELETE", `/v1/accounts/${account.id}/payment-methods/${card.id}`, { key: account.key })).status).toBe(200);
  });

  it("refuses a manual top-up without a card, or out of bounds", async () => {
    const account = await accountWith(app);
    const noCard = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "20" } });
    expect(noCard.body.error.code).toBe("payment_method_required");
    await addCard(app, account, CARDS.visa);
    for (const amount of ["4.99", "10000.01", "0.001", "-5"]) {
      const res = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount } });
      expect(res.status, amount).toBe(400);
    }
  });

  it("answers a card save repeated with its Idempotency-Key from the first, vaulting the card once", async () => {
    const account = await accountWith(app);
    const [before] = await queryRows<{ n: bigint }>(app.db.db, sql`select count(*) as n from sandbox_cards`);
    const body = { card: { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" } };
    const headers = { "Idempotency-Key": "card-1" };
    const first = await app.request("POST", `/v1/accounts/${account.id}/payment-methods`, { key: account.key, body, headers });
    const again = await app.request("POST", `/v1/accounts/${account.id}/payment-methods`, { key: account.key, body, headers });
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    const [after] = await queryRows<{ n: bigint }>(app.db.db, sql`select count(*) as n from sandbox_cards`);
    expect(after!.n - before!.n).toBe(1n);
  });

  it("has no card setup and no provider payment methods on the sandbox: 400 with the reason", async () => {
    const account = await accountWith(app);
    const setup = await app.request("POST", `/v1/accounts/${account.id}/payment-methods/setup`, { key: account.key });
    expect(setup.status).toBe(400);
    expect(setup.body.error.message).toContain("card setup is for Stripe");
    const byId = await app.request("POST", `/v1/accounts/${account.id}/payment-methods`, { key: account.key, body: { provider_payment_method: "pm_1" } });
    expect(byId.status).toBe(400);
    expect(byId.body.error.message).toContain("card: required with the sandbox gateway");
  });
});
