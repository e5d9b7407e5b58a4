import { describe, expect, it } from "vitest";
import { accountWith, addCard, CARDS, recharges, saveAutoRecharge, settled, useScenarioApp } from "../support/scenario.js";
import type { TestApp } from "../support/test-app.js";

// Two automatic charges a day, so the daily count is reached within a short campaign.
const app = useScenarioApp({ PREPAID_MAX_AUTO_CHARGES_PER_DAY: "2" });

type Forecast = { cost: string; balance: string; covered_calls: number; recharges_expected: number; recharge_total: string; shortfall: string; stopped_by: string | null };

async function forecast(account: { id: string; key: string }, calls: number, averageSeconds: number): Promise<Forecast> {
  const res = await app.request("POST", `/v1/accounts/${account.id}/preflight`, { key: account.key, body: { calls, average_seconds: averageSeconds } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Forecast;
}

/** The same campaign for real, one call at a time: each call started, ended at its seconds, its recharge settled. */
async function run(a: TestApp, account: { id: string; key: string }, calls: number, averageSeconds: number) {
  let started = 0;
  const before = new Set((await recharges(a, account)).map((r) => r.id));
  for (let i = 0; i < calls; i++) {
    const start = await a.request("POST", "/v1/calls", { key: account.key, body: { account_id: account.id } });
    if (start.status === 402) break;
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    started++;
    const end = await a.request("POST", `/v1/calls/${start.body.call_id}/end`, { key: account.key, body: { elapsed_seconds: averageSeconds } });
    expect(end.status).toBe(200);
    await settled(a, account);
  }
  const made = (await recharges(a, account)).filter((r) => !before.has(r.id) && r.status === "succeeded");
  const total = made.reduce((sum, r) => sum + BigInt(r.amount.replace(".", "")), 0n);
  return { started, recharges: made.length, total: `${total / 100n}.${String(total % 100n).padStart(2, "0")}` };
}

describe("campaign pre-flight, each answer checked against the same campaign run for real (issue 17)", () => {
  it("no Auto-Recharge: covers what the balance pays for, says what is missing and why", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    const f = await forecast(account, 40, 60); // $0.18 a call
    // Shortfall: the $7.20 cost less the $5.00 balance (no recharge expected).
    expect(f).toEqual({ cost: "7.20", balance: "5.00", covered_calls: 27, recharges_expected: 0, recharge_total: "0.00", shortfall: "2.20", stopped_by: "no_auto_recharge" });
    expect(await run(app, account, 40, 60)).toEqual({ started: 27, recharges: 0, total: "0.00" });
  });

  it("failing Auto-Recharge: no charge is counted on the card that failed", async () => {
    const account = await accountWith(app, { balance: "3.00" });
    await addCard(app, account, CARDS.declinesOnCharge);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "20" });
    await settled(app, account);
    const f = await forecast(account, 30, 60);
    expect(f).toMatchObject({ covered_calls: 16, recharges_expected: 0, stopped_by: "failing", shortfall: "2.40" }); // $5.40 − $3.00
    expect(await run(app, account, 30, 60)).toEqual({ started: 16, recharges: 0, total: "0.00" });
  });

  it("the monthly limit reached mid-campaign: one $5 recharge fits under a $5 limit, the second does not (before the daily count of 2)", async () => {
    const account = await accountWith(app, { balance: "10.50" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "5", monthly_limit: "5" });
    const f = await forecast(account, 150, 60);
    expect(f).toMatchObject({ recharges_expected: 1, recharge_total: "5.00", stopped_by: "monthly_limit" });
    expect(f.covered_calls).toBeLessThan(150);
    const real = await run(app, account, 150, 60);
    expect(real).toEqual({ started: f.covered_calls, recharges: 1, total: "5.00" });
  });

  it("the daily count reached mid-campaign (2 a day here), and a campaign fully covered says so", async () => {
    const account = await accountWith(app, { balance: "10.50" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "5" });
    const covered = await forecast(account, 10, 60);
    expect(covered).toMatchObject({ covered_calls: 10, recharges_expected: 1, recharge_total: "5.00", shortfall: "0.00", stopped_by: null });
    const f = await forecast(account, 150, 60);
    expect(f).toMatchObject({ recharges_expected: 2, stopped_by: "daily_count" });
    expect(await run(app, account, 150, 60)).toEqual({ started: f.covered_calls, recharges: 2, total: "10.00" });
  });

  it("the account's runway: hours at the pace of the last 24 hours' calls, null without calls", async () => {
    const account = await accountWith(app, { balance: "30.00" });
    const view = async () => (await app.request("GET", `/v1/accounts/${account.id}`, { key: account.key })).body;
    expect((await view()).runway_hours).toBeNull();
    const call = await app.request("POST", "/v1/calls", { key: account.key, body: { account_id: account.id } });
    await app.request("POST", `/v1/calls/${call.body.call_id}/end`, { key: account.key, body: { elapsed_seconds: 600 } }); // $1.80
    // $28.20 at $1.80 a day: 15.66 days, 376 hours.
    expect(await view()).toMatchObject({ balance: "28.20", runway_hours: 376 });
  });

  it("refuses a campaign it cannot forecast with a 400, and writes nothing", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    for (const body of [{ calls: 0, average_seconds: 60 }, { calls: 10 }, { calls: 100_001, average_seconds: 60 }, { calls: 10, average_seconds: 1.5 }, { calls: 10, average_seconds: 60, concurrency: 0 }]) {
      const res = await app.request("POST", `/v1/accounts/${account.id}/preflight`, { key: account.key, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await recharges(app, account)).toEqual([]);
  });
});
