import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, CARDS, reportUsage, saveAutoRecharge, settled, startCall, useScenarioApp } from "../support/scenario.js";

const app = useScenarioApp();

async function rowCounts(): Promise<Record<string, bigint>> {
  const [row] = await queryRows<Record<string, bigint>>(
    app.db.db,
    sql`select (select count(*) from payment_methods) as cards, (select count(*) from recharges) as recharges,
               (select count(*) from auto_recharge_settings) as settings, (select count(*) from ledger_entries) as entries,
               (select count(*) from sandbox_charges) as charges`,
  );
  return row!;
}

describe("agency monitoring", () => {
  it("reads its subaccounts' wallet, settings, history and usage, and may change none of it", async () => {
    const agency = await app.createAccount({ name: "Agency", type: "agency" });
    const sub = await accountWith(app, { balance: "30.00", type: "subaccount", parentId: agency.id });
    const card = await addCard(app, sub, CARDS.visa);
    await saveAutoRecharge(app, sub, { enabled: true, threshold: "10", amount: "50" });
    const call = await startCall(app, sub);
    await reportUsage(app, sub, call.body.call_id, 600);
    await settled(app, sub);

    const list = await app.request("GET", `/v1/accounts/${agency.id}/subaccounts`, { key: agency.key });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      id: sub.id,
      balance: "28.20",
      minutes_available: "156.66",
      status: "active",
      auto_recharge: { enabled: true, state: "idle", threshold: "10.00" },
    });
    for (const path of ["", "/auto-recharge", "/recharges", "/transactions", "/usage", "/payment-methods"]) {
      const res = await app.request("GET", `/v1/accounts/${sub.id}${path}`, { key: agency.key });
      expect(res.status, path).toBe(200);
    }

    const before = await rowCounts();
    const writes: Array<[string, string, unknown]> = [
      ["PUT", "/auto-recharge", { enabled: false }],
      ["POST", "/auto-recharge/preview", { threshold: "100" }],
      ["POST", "/payment-methods", { card: { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" } }],
      ["DELETE", `/payment-methods/${card.id}`, undefined],
      ["POST", "/recharges", { amount: "20" }],
      ["PATCH", "", { web_widget: true }],
    ];
    for (const [method, path, body] of writes) {
      const res = await app.request(method, `/v1/accounts/${sub.id}${path}`, { key: agency.key, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    expect(await rowCounts()).toEqual(before);
    const settings = await app.request("GET", `/v1/accounts/${sub.id}/auto-recharge`, { key: sub.key });
    expect(settings.body.enabled).toBe(true);
  });

  it("sees nothing of another agency's subaccount (404)", async () => {
    const agency = await app.createAccount({ name: "Agency A", type: "agency" });
    const other = await app.createAccount({ name: "Agency B", type: "agency" });
    const sub = await accountWith(app, { balance: "5.00", type: "subaccount", parentId: other.id });
    for (const path of ["", "/auto-recharge", "/recharges", "/transactions", "/usage", "/payment-methods", "/notifications"]) {
      expect((await app.request("GET", `/v1/accounts/${sub.id}${path}`, { key: agency.key })).status, path).toBe(404);
    }
    const write = await app.request("PUT", `/v1/accounts/${sub.id}/auto-recharge`, { key: agency.key, body: { enabled: false } });
    expect(write.status).toBe(404);
    const call = await app.request("POST", "/v1/calls", { key: agency.key, body: { account_id: sub.id } });
    expect(call.status).toBe(404);
  });
});
