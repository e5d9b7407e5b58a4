import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { FeeWorker } from "../../src/billing/fees/fee-worker.js";
import { stopFee } from "../../src/billing/fees/fees.js";
import { inTransaction, queryRows } from "../../src/db/database.js";
import { accountWith, addCard, CARDS, getAccount, reportUsage, saveAutoRecharge, settled, startCall, useScenarioApp, waitFor } from "../support/scenario.js";
import type { TestApp } from "../support/test-app.js";

// docs/plans.md (issue 32): price plans, an agency's resale rates and its margin, monthly fees.
// Every figure below is worked out by hand in its comment.

type Account = { id: string; key: string };

async function createPlan(app: TestApp, body: Record<string, unknown>) {
  const res = await app.request("POST", "/v1/price-plans", { key: app.adminKey, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; rate_per_minute: { web_widget: string; default: string } };
}

async function entries(app: TestApp, account: Account) {
  const res = await app.request("GET", `/v1/accounts/${account.id}/transactions?limit=100`, { key: account.key });
  expect(res.status).toBe(200);
  return res.body.data as Array<{ type: string; amount: string; balance_after: string; reason: string | null }>;
}

async function agencyWith(app: TestApp): Promise<Account> {
  const { id, key } = await app.createAccount({ name: "Agency", type: "agency" });
  return { id, key };
}

describe("price plans", () => {
  const app = useScenarioApp();

  it("the operator creates plans; the default plan is listed first with the article's rates; bad rates are 400 and write nothing", async () => {
    const plan = await createPlan(app, { name: "Enterprise", rate_per_minute: { web_widget: "0.12", default: "0.14" }, monthly_fee: "49.00" });
    expect(plan).toMatchObject({ id: expect.stringMatching(/^pln_/), rate_per_minute: { web_widget: "0.12", default: "0.14" }, monthly_fee: "49.00", built_in: false });
    const list = await app.request("GET", "/v1/price-plans", { key: app.adminKey });
    expect(list.status).toBe(200);
    expect(list.body.data[0]).toMatchObject({ id: "pln_default", rate_per_minute: { web_widget: "0.16", default: "0.18" }, built_in: true, monthly_fee: null });
    expect(list.body.data.map((p: { id: string }) => p.id)).toContain(plan.id);

    for (const bad of ["0", "0.0000001", "-0.10", "1e3", " 0.16", "100.01", null]) {
      const res = await app.request("POST", "/v1/price-plans", { key: app.adminKey, body: { name: "Bad", rate_per_minute: { web_widget: bad, default: "0.14" } } });
      expect(res.status, String(bad)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    const after = await app.request("GET", "/v1/price-plans", { key: app.adminKey });
    expect(after.body.data).toHaveLength(list.body.data.length);

    const user = await accountWith(app);
    const byAccount = await app.request("POST", "/v1/price-plans", { key: user.key, body: { name: "Mine", rate_per_minute: { web_widget: "0.01", default: "0.01" } } });
    expect(byAccount.status).toBe(403);
    expect((await app.request("GET", "/v1/price-plans", { key: user.key })).status).toBe(403);
  });

  it("an account on a plan pays its rate from the next call on; the running call keeps the rate it started with", async () => {
    const plan = await createPlan(app, { name: "Volume", rate_per_minute: { web_widget: "0.12", default: "0.14" } });
    const account = await accountWith(app, { balance: "10.00" });
    expect(await getAccount(app, account)).toMatchObject({ rate_per_minute: "0.18", price_plan_id: "pln_default", minutes_available: "55.55" });

    expect((await startCall(app, account, "call-plan-before")).body.rate_per_minute).toBe("0.18");
    // Only the operator puts an account on a plan; an unknown plan is 400 and changes nothing.
    expect((await app.request("PATCH", `/v1/accounts/${account.id}`, { key: account.key, body: { price_plan_id: plan.id } })).status).toBe(403);
    const unknown = await app.request("PATCH", `/v1/accounts/${account.id}`, { key: app.adminKey, body: { price_plan_id: "pln_nope" } });
    expect(unknown.status).toBe(400);
    const moved = await app.request("PATCH", `/v1/accounts/${account.id}`, { key: app.adminKey, body: { price_plan_id: plan.id } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    // $10.00 ÷ $0.14 = 71.428… minutes.
    expect(moved.body).toMatchObject({ price_plan_id: plan.id, rate_per_minute: "0.14", minutes_available: "71.42", rates_per_minute: { web_widget: "0.12", default: "0.14" } });

    const after = await startCall(app, account, "call-plan-after");
    expect(after.body.rate_per_minute).toBe("0.14");
    // A minute each: $0.18 for the call started before the change, $0.14 after; 10 − 0.32 = 9.68.
    expect(await reportUsage(app, account, "call-plan-before", 60)).toMatchObject({ amount: "0.18" });
    expect(await reportUsage(app, account, "call-plan-after", 60)).toMatchObject({ amount: "0.14", balance: "9.68" });

    // The pre-flight uses the plan too: 100 calls of 60 s at $0.14 = $14.00.
    const preflight = await app.request("POST", `/v1/accounts/${account.id}/preflight`, { key: account.key, body: { calls: 100, average_seconds: 60 } });
    expect(preflight.status, JSON.stringify(preflight.body)).toBe(200);
    expect(JSON.stringify(preflight.body)).toContain("14.00");

    // Back to the default plan.
    const back = await app.request("PATCH", `/v1/accounts/${account.id}`, { key: app.adminKey, body: { price_plan_id: "pln_default" } });
    expect(back.body).toMatchObject({ price_plan_id: "pln_default", rate_per_minute: "0.18" });
  });

  it("an alert level in minutes is the plan's minutes: 10 minutes at $0.14 is $1.40, not the default's $1.80", async () => {
    const plan = await createPlan(app, { name: "Alerts", rate_per_minute: { web_widget: "0.12", default: "0.14" } });
    const account = await accountWith(app, { balance: "2.00" });
    await app.request("PATCH", `/v1/accounts/${account.id}`, { key: app.adminKey, body: { price_plan_id: plan.id } });
    const saved = await app.request("PUT", `/v1/accounts/${account.id}/alerts`, { key: account.key, body: { levels: [{ below_minutes: "10" }] } });
    expect(saved.body).toEqual({ levels: [{ below_minutes: "10", amount: "1.40" }] });
    await startCall(app, account, "call-plan-alert");
    const alerts = async () =>
      ((await app.request("GET", `/v1/accounts/${account.id}/notifications?limit=100`, { key: account.key })).body.data as Array<{ type: string; data: { balance: string; level_amount: string } }>).filter(
        (n) => n.type === "balance.alert",
      );
    // 180 s at $0.14 = $0.42 → $1.58: under the default's $1.80, above the plan's $1.40: nothing.
    expect(await reportUsage(app, account, "call-plan-alert", 180)).toMatchObject({ balance: "1.58" });
    expect(await alerts()).toEqual([]);
    // 300 s = $0.70 → $1.30: below $1.40, one alert.
    expect(await reportUsage(app, account, "call-plan-alert", 300)).toMatchObject({ balance: "1.30" });
    expect((await alerts()).map((a) => [a.data.balance, a.data.level_amount])).toEqual([["1.30", "1.40"]]);
  });

  it("a plan's monthly fee starts when an account is put on it and stops when it leaves", async () => {
    const plan = await createPlan(app, { name: "Pro", rate_per_minute: { web_widget: "0.15", default: "0.17" }, monthly_fee: "9.00" });
    const account = await accountWith(app, { balance: "20.00" });
    await app.request("PATCH", `/v1/accounts/${account.id}`, { key: app.adminKey, body: { price_plan_id: plan.id } });
    // The first month is charged at once: 20 − 9 = 11.
    expect(await getAccount(app, account)).toMatchObject({ balance: "11.00" });
    const fees = (await app.request("GET", `/v1/accounts/${account.id}/fees`, { key: account.key })).body.data;
    expect(fees).toEqual([expect.objectContaining({ name: "Plan: Pro", amount: "9.00", set_by: "plan", periods_charged: 1, stopped_at: null })]);
    await app.request("PATCH", `/v1/accounts/${account.id}`, { key: app.adminKey, body: { price_plan_id: "pln_default" } });
    const stopped = (await app.request("GET", `/v1/accounts/${account.id}/fees`, { key: account.key })).body.data;
    expect(stopped[0]).toMatchObject({ set_by: "plan", next_charge_at: null, stopped_at: expect.any(String) });
    expect(await getAccount(app, account)).toMatchObject({ balance: "11.00" });
  });
});

describe("agency rebilling", () => {
  const app = useScenarioApp();

  it("a subaccount pays the agency's resale rate; the margin over the agency's rate reaches the agency's wallet with each debit", async () => {
    const agency = await agencyWith(app);
    const sub = await accountWith(app, { balance: "10.00", type: "subaccount", parentId: agency.id });

    // Bounds: ≥ the agency's own $0.16 / $0.18, ≤ 10× ($1.60 / $1.80).
    const low = await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.15", default: "0.25" } } });
    expect(low.status).toBe(400);
    expect(low.body.error.message).toContain("0.16");
    const high = await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.20", default: "1.800001" } } });
    expect(high.status).toBe(400);
    // The operator does not set an agency's prices; a subaccount cannot see or set them.
    expect((await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: app.adminKey, body: { rate_per_minute: { web_widget: "0.20", default: "0.25" } } })).status).toBe(403);
    expect((await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: sub.key, body: { rate_per_minute: { web_widget: "0.20", default: "0.25" } } })).status).toBe(404);
    expect((await app.request("GET", `/v1/accounts/${agency.id}/resale`, { key: sub.key })).status).toBe(404);
    expect((await app.request("GET", `/v1/accounts/${agency.id}/resale`, { key: agency.key })).body).toMatchObject({ rate_per_minute: null, cost_per_minute: { web_widget: "0.16", default: "0.18" } });

    const set = await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.20", default: "0.25" } } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ rate_per_minute: { web_widget: "0.20", default: "0.25" }, cost_per_minute: { web_widget: "0.16", default: "0.18" } });

    // The subaccount sees only its rate: $10 ÷ $0.25 = 40 minutes.
    const seen = await getAccount(app, sub);
    expect(seen).toMatchObject({ rate_per_minute: "0.25", minutes_available: "40.00", rates_per_minute: { web_widget: "0.20", default: "0.25" } });
    expect(JSON.stringify(seen)).not.toContain("0.18");

    expect((await startCall(app, sub, "call-rebilled")).body.rate_per_minute).toBe("0.25");
    // 61 s: ceil(61 × 250000 / 60) = 254167 µUSD; margin floor(61 × 70000 / 60) = 71166 µUSD.
    expect(await reportUsage(app, sub, "call-rebilled", 61)).toMatchObject({ amount: "0.254167", balance: "9.745833" });
    expect(await getAccount(app, agency)).toMatchObject({ balance: "0.071166" });
    // To 120 s: 500000 − 254167 = 245833 µUSD; margin 140000 − 71166 = 68834 µUSD.
    expect(await reportUsage(app, sub, "call-rebilled", 120)).toMatchObject({ amount: "0.245833", balance: "9.50" });
    expect(await getAccount(app, agency)).toMatchObject({ balance: "0.14" });

    // A resale change mid-call: the running call keeps $0.25 and its margin; the next call pays $0.30.
    await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.20", default: "0.30" } } });
    expect(await reportUsage(app, sub, "call-rebilled", 180)).toMatchObject({ amount: "0.25", balance: "9.25" });
    expect((await startCall(app, sub, "call-rebilled-2")).body.rate_per_minute).toBe("0.30");
    // 60 s at $0.30: $0.30, margin $0.12.
    expect(await reportUsage(app, sub, "call-rebilled-2", 60)).toMatchObject({ amount: "0.30", balance: "8.95" });
    // Margins: 180 s × $0.07/min = $0.21, plus $0.12 = $0.33.
    expect(await getAccount(app, agency)).toMatchObject({ balance: "0.33" });
    const margins = (await entries(app, agency)).filter((e) => e.type === "rebilling_margin");
    expect(margins.map((e) => e.amount)).toEqual(["0.12", "0.07", "0.068834", "0.071166"]);

    // The agency's view: resale $1.05, its cost $0.72 (240 s at $0.18), margin $0.33, per subaccount and month.
    const view = await app.request("GET", `/v1/accounts/${agency.id}/rebilling`, { key: agency.key });
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    expect(view.body.data).toEqual([expect.objectContaining({ subaccount_id: sub.id, resale: "1.05", cost: "0.72", margin: "0.33", seconds: 240 })]);
    expect(view.body.totals).toEqual({ resale: "1.05", cost: "0.72", margin: "0.33" });
    expect((await app.request("GET", `/v1/accounts/${agency.id}/rebilling`, { key: sub.key })).status).toBe(404);

    // The seed's rule stands: the agency still cannot change the subaccount's Auto-Recharge.
    const touch = await saveAutoRecharge(app, { id: sub.id, key: agency.key }, { enabled: true, threshold: "5.00", amount: "20.00" });
    expect(touch.status).toBe(403);

    // Ending resale: later calls pay the subaccount's own plan again.
    const stop = await app.request("DELETE", `/v1/accounts/${agency.id}/resale`, { key: agency.key });
    expect(stop.body.rate_per_minute).toBeNull();
    expect((await startCall(app, sub, "call-not-rebilled")).body.rate_per_minute).toBe("0.18");
    await reportUsage(app, sub, "call-not-rebilled", 60);
    expect(await getAccount(app, agency)).toMatchObject({ balance: "0.33" });
  });

  it("granted credit spent at resale still pays the agency its margin; the grant is spent as without rebilling", async () => {
    const agency = await agencyWith(app);
    await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.20", default: "0.30" } } });
    const sub = await accountWith(app, { type: "subaccount", parentId: agency.id });
    const grant = await app.request("POST", `/v1/accounts/${sub.id}/grants`, { key: app.adminKey, body: { amount: "3.00", reason: "trial", category: "promotional" } });
    expect(grant.status).toBe(201);
    await startCall(app, sub, "call-granted");
    // 300 s at $0.30 = $1.50 from the grant; margin 300 s × $0.12/min = $0.60.
    expect(await reportUsage(app, sub, "call-granted", 300)).toMatchObject({ amount: "1.50", balance: "1.50" });
    expect(await getAccount(app, sub)).toMatchObject({ granted_balance: "1.50" });
    expect(await getAccount(app, agency)).toMatchObject({ balance: "0.60" });
  });

  it("a refund of a rebilled subaccount's top-up takes back only the subaccount's money; the agency's margins stay", async () => {
    const agency = await agencyWith(app);
    await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.20", default: "0.30" } } });
    const sub = await accountWith(app, { type: "subaccount", parentId: agency.id });
    await addCard(app, sub, CARDS.visa, true);
    const topUp = await app.request("POST", `/v1/accounts/${sub.id}/recharges`, { key: sub.key, body: { amount: "20.00" } });
    expect(topUp.status, JSON.stringify(topUp.body)).toBe(201);
    await settled(app, sub);
    await startCall(app, sub, "call-refunded");
    // 600 s at $0.30 = $3.00; margin 600 s × $0.12/min = $1.20.
    expect(await reportUsage(app, sub, "call-refunded", 600)).toMatchObject({ amount: "3.00", balance: "17.00" });
    const refund = await app.request("POST", `/v1/accounts/${sub.id}/recharges/${topUp.body.id}/refunds`, { key: app.adminKey, body: { amount: "5.00", reason: "asked" } });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    await waitFor("the refund to settle", async () => {
      const list = (await app.request("GET", `/v1/accounts/${sub.id}/refunds`, { key: sub.key })).body.data as Array<{ status: string }>;
      return list.every((r) => r.status !== "pending") ? list : undefined;
    });
    expect(await getAccount(app, sub)).toMatchObject({ balance: "12.00" });
    expect(await getAccount(app, agency)).toMatchObject({ balance: "1.20" });
  });

  it("resale is an agency's: a user account is 400, and the rates of an agency on a plan are bounded by that plan", async () => {
    const user = await accountWith(app);
    expect((await app.request("PUT", `/v1/accounts/${user.id}/resale`, { key: user.key, body: { rate_per_minute: { web_widget: "0.20", default: "0.25" } } })).status).toBe(400);
    const plan = await createPlan(app, { name: "Agency wholesale", rate_per_minute: { web_widget: "0.10", default: "0.11" } });
    const agency = await agencyWith(app);
    await app.request("PATCH", `/v1/accounts/${agency.id}`, { key: app.adminKey, body: { price_plan_id: plan.id } });
    // $0.10 is now allowed (≥ its $0.10); $1.11 for default is over 10× $0.11 = $1.10.
    expect((await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.10", default: "1.11" } } })).status).toBe(400);
    const ok = await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.10", default: "0.16" } } });
    expect(ok.body).toMatchObject({ cost_per_minute: { web_widget: "0.10", default: "0.11" } });
    const sub = await accountWith(app, { balance: "5.00", type: "subaccount", parentId: agency.id });
    await startCall(app, sub, "call-wholesale");
    // 60 s at $0.16: margin $0.05 over the agency's $0.11.
    await reportUsage(app, sub, "call-wholesale", 60);
    expect(await getAccount(app, agency)).toMatchObject({ balance: "0.05" });
  });
});

describe("recurring fees", () => {
  const app = useScenarioApp();

  it("the operator's fee charges its first month at once and is listed with its next date; the account cannot set or stop its own fees", async () => {
    const account = await accountWith(app, { balance: "10.00" });
    const res = await app.request("POST", `/v1/accounts/${account.id}/fees`, { key: app.adminKey, body: { name: "Phone number", amount: "2.00", interval: "month" } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const created = new Date(res.body.created_at);
    const next = new Date(Date.UTC(created.getUTCFullYear(), created.getUTCMonth() + 1, Math.min(created.getUTCDate(), 28), created.getUTCHours(), created.getUTCMinutes(), created.getUTCSeconds(), created.getUTCMilliseconds()));
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^fee_/), amount: "2.00", set_by: "operator", periods_charged: 1, stopped_at: null });
    if (created.getUTCDate() <= 28) expect(res.body.next_charge_at).toBe(next.toISOString());
    expect(await getAccount(app, account)).toMatchObject({ balance: "8.00" });
    expect((await entries(app, account))[0]).toMatchObject({ type: "fee", amount: "-2.00", reason: expect.stringContaining("Phone number") });

    expect((await app.request("POST", `/v1/accounts/${account.id}/fees`, { key: account.key, body: { name: "x", amount: "1.00", interval: "month" } })).status).toBe(403);
    expect((await app.request("DELETE", `/v1/accounts/${account.id}/fees/${res.body.id}`, { key: account.key })).status).toBe(403);
    for (const body of [{ name: "x", amount: "0.00", interval: "month" }, { name: "x", amount: "1.00", interval: "week" }, { name: "", amount: "1.00", interval: "month" }, { name: "x", amount: "1.001", interval: "month" }]) {
      const bad = await app.request("POST", `/v1/accounts/${account.id}/fees`, { key: app.adminKey, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    expect(await getAccount(app, account)).toMatchObject({ balance: "8.00" });
  });

  it("an agency's fee on its subaccount is at its own price, all of it the agency's margin; it stops only its own fees; another agency's subaccount is 404", async () => {
    const agency = await agencyWith(app);
    const other = await agencyWith(app);
    const sub = await accountWith(app, { balance: "10.00", type: "subaccount", parentId: agency.id });
    const fee = await app.request("POST", `/v1/accounts/${sub.id}/fees`, { key: agency.key, body: { name: "Agency support", amount: "5.00", interval: "month" } });
    expect(fee.status, JSON.stringify(fee.body)).toBe(201);
    expect(fee.body.set_by).toBe("agency");
    expect(await getAccount(app, sub)).toMatchObject({ balance: "5.00" });
    expect(await getAccount(app, agency)).toMatchObject({ balance: "5.00" });
    expect((await app.request("POST", `/v1/accounts/${sub.id}/fees`, { key: other.key, body: { name: "x", amount: "1.00", interval: "month" } })).status).toBe(404);

    const operatorFee = await app.request("POST", `/v1/accounts/${sub.id}/fees`, { key: app.adminKey, body: { name: "Number", amount: "1.00", interval: "month" } });
    expect((await app.request("DELETE", `/v1/accounts/${sub.id}/fees/${operatorFee.body.id}`, { key: agency.key })).status).toBe(403);
    const stopped = await app.request("DELETE", `/v1/accounts/${sub.id}/fees/${fee.body.id}`, { key: agency.key });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ next_charge_at: null, stopped_at: expect.any(String) });
    // The rebilling view counts the fee: resale $5, cost $0, margin $5.
    const view = await app.request("GET", `/v1/accounts/${agency.id}/rebilling`, { key: agency.key });
    expect(view.body.totals).toEqual({ resale: "5.00", cost: "0.00", margin: "5.00" });
  });

});

describe("recurring fees and a late worker", () => {
  // A database of its own: the jumped clock would charge the other tests' fees too.
  const app = useScenarioApp();

  it("two workers, the clock jumped 3 months and a day: each missed period charged once; a stopped fee charges the periods begun before its stop and none after", async () => {
    const account = await accountWith(app, { balance: "50.00" });
    const fee = (name: string, amount: string) => app.request("POST", `/v1/accounts/${account.id}/fees`, { key: app.adminKey, body: { name, amount, interval: "month" } });
    const a = await fee("Line", "3.00");
    const b = await fee("Number", "1.50");
    const c = await fee("Support", "0.25");
    // First months at once: 50 − 3 − 1.50 − 0.25 = 45.25.
    expect(await getAccount(app, account)).toMatchObject({ balance: "45.25" });
    // b stopped now: its next period (a month on) begins after the stop.
    await app.request("DELETE", `/v1/accounts/${account.id}/fees/${b.body.id}`, { key: app.adminKey });
    // c stopped 45 days on while the worker was down: its second period (a month on) began before the stop, its third after.
    const created = new Date(c.body.created_at);
    await inTransaction(app.db.db, (tx) => stopFee(tx, account.id, c.body.id, new Date(created.getTime() + 45 * 86_400_000)));

    const later = new Date(Date.UTC(created.getUTCFullYear(), created.getUTCMonth() + 3, created.getUTCDate() + 1, created.getUTCHours()));
    const worker = () => new FeeWorker(app.db.db, app.config, () => later).runOnce();
    const [first, second] = await Promise.all([worker(), worker()]);
    // a's periods 1, 2 and 3, and c's period 1: four charges, whichever worker took them.
    expect(first + second).toBe(4);
    expect(await worker()).toBe(0);
    // 45.25 − 3 × 3.00 − 0.25 = 36.00; a fee never pauses: status stays active.
    expect(await getAccount(app, account)).toMatchObject({ balance: "36.00", status: "active" });
    const list = (await app.request("GET", `/v1/accounts/${account.id}/fees`, { key: account.key })).body.data as Array<{ id: string; periods_charged: number; next_charge_at: string | null }>;
    expect(list.find((f) => f.id === a.body.id)).toMatchObject({ periods_charged: 4 });
    expect(list.find((f) => f.id === b.body.id)).toMatchObject({ periods_charged: 1, next_charge_at: null });
    expect(list.find((f) => f.id === c.body.id)).toMatchObject({ periods_charged: 2, next_charge_at: null });
    const keys = await queryRows<{ entry_key: string }>(app.db.db, sql`select entry_key from ledger_entries where account_id = ${account.id} and type = 'fee' order by entry_key`);
    expect(keys.map((k) => k.entry_key)).toEqual(
      [...[0, 1, 2, 3].map((k) => `fee:${a.body.id}:${k}`), `fee:${b.body.id}:0`, `fee:${c.body.id}:0`, `fee:${c.body.id}:1`].sort(),
    );
  });
});

describe("recurring fees and the balance rules", () => {
  const app = useScenarioApp();

  it("a fee may take the balance below zero without pausing, and may start Auto-Recharge", async () => {
    const poor = await accountWith(app, { balance: "1.00" });
    await app.request("POST", `/v1/accounts/${poor.id}/fees`, { key: app.adminKey, body: { name: "Number", amount: "2.00", interval: "month" } });
    expect(await getAccount(app, poor)).toMatchObject({ balance: "-1.00", status: "active" });

    const funded = await accountWith(app, { balance: "11.00" });
    await addCard(app, funded, CARDS.visa, true);
    expect((await saveAutoRecharge(app, funded, { enabled: true, threshold: "10.00", amount: "20.00" })).status).toBe(200);
    await app.request("POST", `/v1/accounts/${funded.id}/fees`, { key: app.adminKey, body: { name: "Line", amount: "2.00", interval: "month" } });
    // 11 − 2 = 9 < 10: one automatic charge of $20 → $29.00.
    await settled(app, funded);
    expect(await getAccount(app, funded)).toMatchObject({ balance: "29.00" });
  });
});
