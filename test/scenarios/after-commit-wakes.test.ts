import { describe, expect, it } from "vitest";
import { accountWith, addCard, CARDS, reportUsage, saveAutoRecharge, settled, startCall, useScenarioApp } from "../support/scenario.js";

// The worker polls every 10 minutes here: a recharge charged within seconds was woken by the
// after-commit hook of the transaction that created it, not found by a poll.
const app = useScenarioApp({ PREPAID_WORKER_POLL_MS: "600000" });
const WOKEN_WITHIN_MS = 5_000;

describe("the after-commit hook wakes the recharge worker", () => {
  it("after a usage batch that created a recharge", async () => {
    const account = await accountWith(app, { balance: "10.10" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "20" });
    const call = await startCall(app, account);
    await reportUsage(app, account, call.body.call_id, 60); // $10.10 → $9.92
    expect((await settled(app, account, WOKEN_WITHIN_MS)).map((r) => [r.trigger, r.status])).toEqual([["auto", "succeeded"]]);
  });

  it("after a settings save (threshold sync), a manual top-up, an adjustment and a card added while failing", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    await addCard(app, account, CARDS.declined);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "20" });
    expect((await settled(app, account, WOKEN_WITHIN_MS))[0]).toMatchObject({ trigger: "threshold_sync", status: "failed" });
    const visa = await addCard(app, account, CARDS.visa);
    expect((await settled(app, account, WOKEN_WITHIN_MS))[0]).toMatchObject({ trigger: "retry", status: "succeeded", payment_method_id: visa.id });
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "10" } });
    expect(topUp.status).toBe(201);
    expect((await settled(app, account, WOKEN_WITHIN_MS))[0]).toMatchObject({ trigger: "manual", status: "succeeded" });
    const debit = await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "-30.00", reason: "test" } });
    expect(debit.status).toBe(201);
    expect((await settled(app, account, WOKEN_WITHIN_MS))[0]).toMatchObject({ trigger: "auto", status: "succeeded" });
  });
});
