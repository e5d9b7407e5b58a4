import { describe, expect, it } from "vitest";
import { accountWith, addCard, CARDS, saveAutoRecharge, settled, useScenarioApp } from "../support/scenario.js";

const app = useScenarioApp();

type Listed = { id: string; name: string; balance: string; risks: string[] };
type ListAnswer = { data: Listed[]; next_cursor: string | null; totals: { count: number; balance: string; at_risk: number } };

async function subaccount(agencyId: string, name: string, balance: string) {
  const created = await app.createAccount({ name, type: "subaccount", parent_id: agencyId });
  await app.request("POST", `/v1/accounts/${created.id}/adjustments`, { key: app.adminKey, body: { amount: balance, reason: "opening" } });
  return { id: created.id, key: created.key };
}

describe("watch lists: an agency's subaccounts and the operator's accounts, with risks, search, sort and totals (issue 15)", () => {
  it("flags what may soon stop calls, filters and counts by it, searches names and sorts", async () => {
    const agency = await app.createAccount({ name: "Watch Agency", type: "agency" });
    // An agency's own wallet at $0 that never calls is not at risk (the walk flagged Demo Agency).
    expect((await app.request("GET", `/v1/accounts?q=${agency.id}`, { key: app.adminKey })).body.data[0].risks).toEqual([]);
    const healthy = await subaccount(agency.id, "Alpha Healthy", "50.00");
    const unprotected = await subaccount(agency.id, "Beta Unprotected", "5.00");
    const failing = await subaccount(agency.id, "Gamma Failing 50%", "0.10");
    const zeta = await subaccount(agency.id, "zeta steady", "12.00");
    await addCard(app, failing, CARDS.declinesOnCharge);
    await saveAutoRecharge(app, failing, { enabled: true, threshold: "10", amount: "20" });
    await settled(app, failing);
    // A balance is a risk for accounts that make calls (issue 28, item 10): these three do.
    for (const account of [healthy, unprotected, zeta]) {
      const call = await app.request("POST", "/v1/calls", { key: account.key, body: { account_id: account.id } });
      expect((await app.request("POST", `/v1/calls/${call.body.call_id}/end`, { key: account.key, body: { elapsed_seconds: 0 } })).status).toBe(200);
    }

    const list = async (query: string, key = agency.key, path = `/v1/accounts/${agency.id}/subaccounts`) => {
      const res = await app.request("GET", `${path}?${query}`, { key });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as ListAnswer;
    };
    const all = await list("");
    const risksOf = (id: string) => all.data.find((a) => a.id === id)!.risks;
    expect(risksOf(healthy.id)).toEqual([]);
    expect(risksOf(zeta.id)).toEqual([]);
    // $5.00 at $0.18/min is 27 minutes, with nothing to top it up.
    expect(risksOf(unprotected.id)).toEqual(["unprotected_below_threshold", "low_minutes"]);
    // Paused and failing whatever its usage; it made no call, so its balance alone is not a risk.
    expect(risksOf(failing.id)).toEqual(["paused", "payment_failing"]);
    expect(all.totals).toEqual({ count: 4, balance: "67.10", at_risk: 2 });

    const atRisk = await list("risk=any");
    expect(atRisk.data.map((a) => a.id).sort()).toEqual([unprotected.id, failing.id].sort());
    expect(atRisk.totals).toEqual({ count: 2, balance: "5.10", at_risk: 2 });
    expect((await list("risk=payment_failing")).data.map((a) => a.id)).toEqual([failing.id]);

    // Any case, part of the name; LIKE's characters are literal.
    expect((await list("q=FAIL")).data.map((a) => a.id)).toEqual([failing.id]);
    expect((await list("q=50%25")).data.map((a) => a.id)).toEqual([failing.id]);
    expect((await list("q=%25%25")).data).toEqual([]);
    expect((await list(`q=${zeta.id}`)).data.map((a) => a.id)).toEqual([zeta.id]);
    // An id matches from its start (issue 28, item 9).
    expect((await list(`q=${zeta.id.slice(0, 14)}`)).data.map((a) => a.id)).toContain(zeta.id);

    expect((await list("sort=name")).data.map((a) => a.name)).toEqual(["Alpha Healthy", "Beta Unprotected", "Gamma Failing 50%", "zeta steady"]);
    const byBalance = [failing.id, unprotected.id, zeta.id, healthy.id];
    expect((await list("sort=balance")).data.map((a) => a.id)).toEqual(byBalance);
    // Page by page, one at a time, the same order; a cursor only fits its own sort.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ListAnswer = await list(`sort=balance&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      paged.push(...page.data.map((a) => a.id));
      expect(page.totals.count).toBe(4);
      cursor = page.next_cursor;
    } while (cursor && paged.length < 10);
    expect(paged).toEqual(byBalance);
    const first = await list("sort=balance&limit=1");
    const wrongSort = await app.request("GET", `/v1/accounts/${agency.id}/subaccounts?sort=name&cursor=${first.next_cursor}`, { key: agency.key });
    expect(wrongSort.status).toBe(400);
    expect(wrongSort.body.error.field).toBe("cursor");

    // The operator's console: the same list over every account, by type too.
    const console = await list(`q=Watch Agency&type=agency`, app.adminKey, "/v1/accounts");
    expect(console.data.map((a) => a.id)).toEqual([agency.id]);
    const failingEverywhere = await list(`risk=payment_failing&q=Gamma`, app.adminKey, "/v1/accounts");
    expect(failingEverywhere.data.map((a) => a.id)).toContain(failing.id);
    expect((await app.request("GET", "/v1/accounts", { key: agency.key })).status).toBe(403);
  });

  it("refuses a filter it does not know with a 400, writing nothing", async () => {
    const agency = await app.createAccount({ name: "Strict Agency", type: "agency" });
    for (const query of ["risk=soon", "sort=richest", `q=${"x".repeat(101)}`]) {
      const res = await app.request("GET", `/v1/accounts/${agency.id}/subaccounts?${query}`, { key: agency.key });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    const user = await accountWith(app);
    expect((await app.request("GET", `/v1/accounts/${user.id}/subaccounts`, { key: user.key })).status).toBe(400);
  });
});
