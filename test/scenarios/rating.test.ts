import { describe, expect, it } from "vitest";
import { accountWith, getAccount, reportUsage, startCall, useScenarioApp } from "../support/scenario.js";

const app = useScenarioApp();

describe("per-second rating", () => {
  it("bills 61 s at $0.16/min as exactly $0.162667", async () => {
    const account = await accountWith(app, { balance: "10.00", webWidget: true });
    const call = await startCall(app, account);
    expect(call.body).toMatchObject({ rate_per_minute: "0.16", max_seconds: 3750 });
    const end = await app.request("POST", `/v1/calls/${call.body.call_id}/end`, { key: account.key, body: { elapsed_seconds: 61 } });
    expect(end.status).toBe(200);
    expect(end.body).toMatchObject({ billed_seconds: 61, amount: "0.162667", call_total: "0.162667", balance: "9.837333", action: "end_call" });
  });

  it("bills the same total for 1 s steps, out of order, and replayed", async () => {
    const account = await accountWith(app, { balance: "10.00", webWidget: true });
    const call = await startCall(app, account);
    const steps = Array.from({ length: 61 }, (_, i) => i + 1);
    const shuffled = [...steps].sort((a, b) => ((a * 7919) % 61) - ((b * 7919) % 61));
    for (const s of [...steps, ...shuffled, 30, 61, 1]) await reportUsage(app, account, call.body.call_id, s);
    expect((await getAccount(app, account)).balance).toBe("9.837333");
    const transactions = await app.request("GET", `/v1/accounts/${account.id}/transactions?limit=100`, { key: account.key });
    const usage = transactions.body.data.filter((t: { type: string }) => t.type === "usage");
    expect(usage).toHaveLength(61); // one debit per new second, none for replays
  });

  it("keeps a call's rate when the widget is toggled mid-call; the next call gets the new rate", async () => {
    const account = await accountWith(app, { balance: "10.00", webWidget: false });
    const first = await startCall(app, account);
    expect(first.body.rate_per_minute).toBe("0.18");
    await reportUsage(app, account, first.body.call_id, 30);
    const toggled = await app.request("PATCH", `/v1/accounts/${account.id}`, { key: account.key, body: { web_widget: true } });
    expect(toggled.body).toMatchObject({ web_widget: true, rate_per_minute: "0.16" });
    const after = await reportUsage(app, account, first.body.call_id, 60);
    expect(after.call_total).toBe("0.18"); // a full minute at the rate it started with
    const second = await startCall(app, account);
    expect(second.body.rate_per_minute).toBe("0.16");
    const end = await app.request("POST", `/v1/calls/${second.body.call_id}/end`, { key: account.key, body: { elapsed_seconds: 60 } });
    expect(end.body.call_total).toBe("0.16");
    expect((await getAccount(app, account)).balance).toBe("9.66");
  });

  it("never refuses usage of a started call: the balance goes negative and the answer says end_call", async () => {
    const account = await accountWith(app, { balance: "0.20" });
    const call = await startCall(app, account);
    expect(call.body.max_seconds).toBe(66);
    const over = await reportUsage(app, account, call.body.call_id, 600);
    expect(over).toMatchObject({ amount: "1.80", balance: "-1.60", action: "end_call" });
    const refused = await startCall(app, account);
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("insufficient_credit");
  });

  it("refuses a call the balance cannot pay a minute of, and reports usage per day", async () => {
    const account = await accountWith(app, { balance: "0.17" });
    const refused = await startCall(app, account);
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("insufficient_credit");
    await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "1.00", reason: "top" } });
    const a = await startCall(app, account, "ext-call-1");
    expect(a.body.call_id).toBe("ext-call-1");
    const again = await startCall(app, account, "ext-call-1");
    expect(again.body.call_id).toBe("ext-call-1");
    await reportUsage(app, account, "ext-call-1", 90);
    const b = await startCall(app, account);
    const batch = await app.request("POST", "/v1/usage", {
      key: app.adminKey,
      body: { events: [{ call_id: b.body.call_id, elapsed_seconds: 30 }, { call_id: "ext-call-1", elapsed_seconds: 90 }, { call_id: b.body.call_id, elapsed_seconds: 60, final: true }] },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.data.map((r: { amount: string }) => r.amount)).toEqual(["0.09", "0.00", "0.09"]);
    const today = new Date().toISOString().slice(0, 10);
    const usage = await app.request("GET", `/v1/accounts/${account.id}/usage?from=${today}&to=${today}`, { key: account.key });
    expect(usage.body.data).toEqual([{ day: today, seconds: 150, minutes: "2.50", calls: 2, cost: "0.45" }]);
  });

  it("refuses a batch with an unknown call, writing nothing", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    const call = await startCall(app, account);
    const res = await app.request("POST", "/v1/usage", {
      key: account.key,
      body: { events: [{ call_id: call.body.call_id, elapsed_seconds: 60 }, { call_id: "call_missing", elapsed_seconds: 60 }] },
    });
    expect(res.status).toBe(404);
    expect((await getAccount(app, account)).balance).toBe("5.00");
  });
});
