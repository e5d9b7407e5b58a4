import { describe, expect, it } from "vitest";
import { accountWith, debit, reportUsage, startCall, useScenarioApp } from "../support/scenario.js";

const app = useScenarioApp();

type Feed = { type: string; message: string; data: { level: Record<string, string>; level_amount: string; balance: string } }[];
const feedOf = async (account: { id: string; key: string }, type: string) =>
  ((await app.request("GET", `/v1/accounts/${account.id}/notifications?limit=100`, { key: account.key })).body.data as Feed).filter((n) => n.type === type);

describe("balance alerts in dollars and minutes (issue 17)", () => {
  it("a drain past $20 and 30 minutes sends each alert once; a top-up sends each recovery once; the agency gets copies", async () => {
    const agency = await app.createAccount({ name: "Alert Agency", type: "agency" });
    const account = await accountWith(app, { balance: "30.00", type: "subaccount", parentId: agency.id });
    const saved = await app.request("PUT", `/v1/accounts/${account.id}/alerts`, { key: account.key, body: { levels: [{ below: "20" }, { below_minutes: "30" }] } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    // 30 minutes at $0.18/min is $5.40.
    expect(saved.body).toEqual({ levels: [{ below: "20.00", amount: "20.00" }, { below_minutes: "30", amount: "5.40" }] });

    const call = (await startCall(app, account)).body.call_id as string;
    for (const seconds of [3_400, 6_000, 8_200, 8_300, 8_400]) await reportUsage(app, account, call, seconds); // $19.80, $12.00, $5.40, $5.10, $4.80
    const alerts = await feedOf(account, "balance.alert");
    expect(alerts.map((a) => [a.data.level, a.data.balance]).reverse()).toEqual([
      [{ below: "20.00" }, "19.80"],
      [{ below_minutes: "30" }, "5.10"],
    ]);
    expect(alerts[0]!.message).toBe("Your balance fell below 30 minutes ($5.40): $5.10, ≈ 28.33 minutes at $0.18/min left. Add funds or turn on Auto-Recharge so calls keep running.");
    expect(await feedOf(account, "balance.recovered")).toEqual([]);

    await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "50.00", reason: "top-up" } });
    await debit(app, account.id, "0.01"); // a later debit above both levels sends nothing more
    const recovered = await feedOf(account, "balance.recovered");
    expect(recovered.map((r) => JSON.stringify(r.data.level)).sort()).toEqual([JSON.stringify({ below: "20.00" }), JSON.stringify({ below_minutes: "30" })].sort());
    expect(await feedOf(account, "balance.alert")).toHaveLength(2);

    const agencyFeed = (await app.request("GET", `/v1/accounts/${agency.id}/notifications?limit=100`, { key: agency.key })).body.data as { type: string }[];
    expect(agencyFeed.filter((n) => n.type === "balance.alert")).toHaveLength(2);
    expect(agencyFeed.filter((n) => n.type === "balance.recovered")).toHaveLength(2);
  });

  it("the Web Widget moves a minutes level's dollar value, and a switch that puts the balance below it alerts", async () => {
    const account = await accountWith(app, { balance: "5.00", webWidget: true });
    // 30 minutes at $0.16/min is $4.80: $5.00 is above it.
    const saved = await app.request("PUT", `/v1/accounts/${account.id}/alerts`, { key: account.key, body: { levels: [{ below_minutes: "30" }] } });
    expect(saved.body.levels[0].amount).toBe("4.80");
    expect((await app.request("PATCH", `/v1/accounts/${account.id}`, { key: account.key, body: { web_widget: false } })).status).toBe(200);
    const now = await app.request("GET", `/v1/accounts/${account.id}/alerts`, { key: account.key });
    expect(now.body.levels[0].amount).toBe("5.40");
    expect((await feedOf(account, "balance.alert")).map((a) => a.data.balance)).toEqual(["5.00"]);
  });

  it("refuses more than 5 levels, a level twice, $0, or minutes that are not whole, writing nothing", async () => {
    const account = await accountWith(app);
    for (const levels of [
      [{ below: "1" }, { below: "2" }, { below: "3" }, { below: "4" }, { below: "5" }, { below: "6" }],
      [{ below: "20" }, { below: "20.00" }],
      [{ below: "0" }],
      [{ below_minutes: "1.5" }],
      [{ below_minutes: "0" }],
      [{ below: "5", below_minutes: "5" }],
    ]) {
      const res = await app.request("PUT", `/v1/accounts/${account.id}/alerts`, { key: account.key, body: { levels } });
      expect(res.status, JSON.stringify(levels)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect((await app.request("GET", `/v1/accounts/${account.id}/alerts`, { key: account.key })).body).toEqual({ levels: [] });
  });
});
