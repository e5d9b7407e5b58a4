import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pricingJoin, rateSql } from "../../src/billing/pricing.js";
import { loadWalletStates } from "../../src/billing/status/wallet-state.js";
import { inTransaction, queryRows } from "../../src/db/database.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// pricing.ts has the rule "what does this account pay a minute" twice: accountPrice (TypeScript,
// what every money path uses) and rateSql (the same rule in SQL, for the watch list's filter).
// Here they are compared on every kind of account, with the widget on and off.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { worker: false });
});
afterAll(async () => app?.close());

describe("rateSql", () => {
  it("gives the rate accountPrice gives, for users, plans, agencies and subaccounts with and without resale", async () => {
    const admin = { key: app.adminKey };
    const plan = (await app.request("POST", "/v1/price-plans", { ...admin, body: { name: "P", rate_per_minute: { web_widget: "0.11", default: "0.13" } } })).body.id as string;
    const wholesale = (await app.request("POST", "/v1/price-plans", { ...admin, body: { name: "W", rate_per_minute: { web_widget: "0.10", default: "0.12" } } })).body.id as string;
    const ids: string[] = [];
    const make = async (body: Record<string, unknown>, planId?: string) => {
      const made = await app.createAccount({ name: "Rate", ...body });
      if (planId) expect((await app.request("PATCH", `/v1/accounts/${made.id}`, { ...admin, body: { price_plan_id: planId } })).status).toBe(200);
      ids.push(made.id);
      return made;
    };
    for (const web_widget of [true, false]) {
      await make({ type: "user", web_widget });
      await make({ type: "user", web_widget }, plan);
      const quiet = await make({ type: "agency" });
      await make({ type: "subaccount", parent_id: quiet.id, web_widget });
      await make({ type: "subaccount", parent_id: quiet.id, web_widget }, plan);
      const reseller = await make({ type: "agency" }, wholesale);
      expect((await app.request("PUT", `/v1/accounts/${reseller.id}/resale`, { key: reseller.key, body: { rate_per_minute: { web_widget: "0.21", default: "0.27" } } })).status).toBe(200);
      await make({ type: "subaccount", parent_id: reseller.id, web_widget });
      await make({ type: "subaccount", parent_id: reseller.id, web_widget }, plan);
    }
    const { config } = app;
    const inSql = await queryRows<{ id: string; rate: bigint | string }>(
      app.db.db,
      sql`select a.id, ${rateSql("a", config.rates)} as rate from accounts a ${pricingJoin("a")} where a.id = any(${`{${ids.join(",")}}`}::text[])`,
    );
    const states = await inTransaction(app.db.db, (tx) => loadWalletStates(tx, config.rates, ids));
    const fromSql = new Map(inSql.map((r) => [r.id, BigInt(r.rate)]));
    expect(fromSql.size).toBe(ids.length);
    for (const id of ids) expect(fromSql.get(id), id).toBe(states.get(id)!.ratePerMinuteMicros);
    // And the figures themselves, by hand: plan P 0.11/0.13, the wholesale agency itself 0.12 (widget off), default 0.16/0.18, resale 0.21/0.27.
    expect([...new Set([...fromSql.values()].map(String))].sort()).toEqual(["110000", "120000", "130000", "160000", "180000", "210000", "270000"]);
  });
});
