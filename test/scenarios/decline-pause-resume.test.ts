import { describe, expect, it } from "vitest";
import {
  accountWith,
  addCard,
  CARDS,
  debit,
  getAccount,
  notifications,
  providerCharges,
  recharges,
  reportUsage,
  saveAutoRecharge,
  settled,
  startCall,
  useScenarioApp,
} from "../support/scenario.js";

const app = useScenarioApp();


describe("a declined card: failing, pause, resume", () => {
  it("fails once, notifies with the reason, pauses when a minute is no longer covered, and resumes on a new card", async () => {
    const agency = await app.createAccount({ name: "Agency", type: "agency" });
    const account = await accountWith(app, { balance: "12.00", type: "subaccount", parentId: agency.id });
    await addCard(app, account, CARDS.declined);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });

    // Cross the threshold: one recharge, declined.
    const call = await startCall(app, account);
    await reportUsage(app, account, call.body.call_id, 720); // $12.00 → $9.84
    const failed = await settled(app, account);
    expect(failed.map((r) => [r.trigger, r.status, r.failure_code])).toEqual([["auto", "failed", "card_declined"]]);
    const settings = await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key });
    expect(settings.body).toMatchObject({ state: "failing", failure: { code: "card_declined" } });
    let feed = await notifications(app, account);
    const errors = feed.filter((n) => n.type === "recharge.failed");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain("Your card was declined.");
    expect(errors[0]!.message).toContain("Update your card in Payments");
    expect((await getAccount(app, account)).status).toBe("active"); // $9.84 still covers a minute

    // No retry on that card: not on later debits, not on saving the settings again.
    await reportUsage(app, account, call.body.call_id, 1_200);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    expect(await recharges(app, account)).toHaveLength(1);
    expect(await providerCharges(app, account.id)).toHaveLength(1);

    // Drive the balance under one minute ($0.18): paused; new calls refused; usage still recorded.
    const drained = await reportUsage(app, account, call.body.call_id, 3_960); // 66 min × $0.18 = $11.88 of $12.00
    expect(drained.balance).toBe("0.12");
    expect((await getAccount(app, account)).status).toBe("paused");
    const refused = await startCall(app, account);
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("account_paused");
    const running = await reportUsage(app, account, call.body.call_id, 4_020);
    expect(running).toMatchObject({ amount: "0.18", balance: "-0.06", action: "end_call" });
    feed = await notifications(app, account);
    expect(feed.filter((n) => n.type === "account.paused")).toHaveLength(1);

    // The agency hears of the failure and the pause, about its subaccount.
    const agencyFeed = await notifications(app, agency);
    expect(agencyFeed.map((n) => [n.type, n.account_id])).toEqual(
      expect.arrayContaining([
        ["recharge.failed", account.id],
        ["account.paused", account.id],
      ]),
    );

    // A working card: it becomes the default and the retry charges it at once.
    const visa = await addCard(app, account, CARDS.visa);
    expect(visa.is_default).toBe(true);
    const list = await settled(app, account);
    expect(list[0]).toMatchObject({ trigger: "retry", status: "succeeded", amount: "50.00" });
    const after = await getAccount(app, account);
    expect(after).toMatchObject({ status: "active", balance: "49.94" });
    expect(after.auto_recharge).toMatchObject({ state: "idle", failure: null });
    feed = await notifications(app, account);
    expect(feed.filter((n) => n.type === "account.resumed")).toHaveLength(1);
    expect(feed.filter((n) => n.type === "recharge.succeeded")).toHaveLength(1);
    expect((await startCall(app, account)).status).toBe(201);
  });

  it.each([
    ["insufficient_funds", CARDS.insufficientFunds],
    ["expired_card", CARDS.expired],
    ["card_declined", CARDS.declinesOnCharge],
    ["authentication_required", CARDS.authenticationRequired],
  ])("treats %s as a hard decline: failed, notified, not retried", async (code, number) => {
    const account = await accountWith(app, { balance: "5.00" });
    await addCard(app, account, number);
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    expect(saved.body.triggered_recharge).not.toBeNull();
    const list = await settled(app, account);
    expect(list.map((r) => [r.status, r.failure_code, r.attempts])).toEqual([["failed", code, 1]]);
    expect((await notifications(app, account)).filter((n) => n.type === "recharge.failed")).toHaveLength(1);
  });

  it("holds back the retry a new card would make when it would pass the monthly limit (the user's own cap)", async () => {
    const account = await accountWith(app, { balance: "20.00" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50", monthly_limit: "110" });
    await debit(app, account.id, "15.00"); // $5: charge $50 (month: $50)
    await settled(app, account);
    await addCard(app, account, CARDS.declinesOnCharge, true);
    await debit(app, account.id, "50.00"); // $5 again: $50 more makes $100 ≤ $110; declined: failing
    expect((await settled(app, account)).map((r) => r.status)).toEqual(["failed", "succeeded"]);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50", monthly_limit: "90" });
    // A new card retries $50 at once, unless the month's $50 (a failed charge is not counted)
    // plus $50 passes the limit of $90: then it is held back and said, not charged.
    await addCard(app, account, CARDS.visa);
    expect((await recharges(app, account)).map((r) => r.status)).toEqual(["failed", "succeeded"]);
    const state = await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key });
    expect(state.body).toMatchObject({ limit_reached: "monthly_limit", state: "failing" });
    expect((await notifications(app, account)).filter((n) => n.type === "auto_recharge.limit_reached")).toHaveLength(1);
  });

  it("lets a manual top-up on the failing card try again, and its success clears failing", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    await addCard(app, account, CARDS.declined);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    await settled(app, account);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "20" } });
    expect(topUp.status).toBe(201);
    expect(topUp.body).toMatchObject({ trigger: "manual", status: "pending", amount: "20.00" });
    const list = await settled(app, account);
    expect(list[0]).toMatchObject({ trigger: "manual", status: "failed", failure_code: "card_declined" });
    const good = await addCard(app, account, CARDS.visa); // becomes default, retries the auto recharge
    await settled(app, account);
    const manual = await app.request("POST", `/v1/accounts/${account.id}/recharges`, {
      key: account.key,
      body: { amount: "10.00", payment_method_id: good.id },
    });
    expect(manual.status).toBe(201);
    await settled(app, account);
    expect((await getAccount(app, account)).balance).toBe("65.00");
  });
});
