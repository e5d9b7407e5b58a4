import { describe, expect, it } from "vitest";
import {
  accountWith,
  addCard,
  CARDS,
  debit,
  notifications,
  recharges,
  saveAutoRecharge,
  settled,
  useScenarioApp,
} from "../support/scenario.js";

const app = useScenarioApp({ PREPAID_MAX_AUTO_CHARGES_PER_DAY: "2" });


describe("limits on automatic charges", () => {
  it("holds a charge back at the monthly limit, says why, and notifies once", async () => {
    const account = await accountWith(app, { balance: "20.00" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50", monthly_limit: "60" });
    await debit(app, account.id, "15.00"); // $5: charge $50 (month: $50)
    await settled(app, account);
    await debit(app, account.id, "50.00"); // $5 again: $50 more would make $100 > $60
    await debit(app, account.id, "1.00"); // still held back: notified once, not on every debit
    expect(await settled(app, account)).toHaveLength(1);
    const state = await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key });
    expect(state.body).toMatchObject({ limit_reached: "monthly_limit", state: "idle" });
    const limited = (await notifications(app, account)).filter((n) => n.type === "auto_recharge.limit_reached");
    expect(limited).toHaveLength(1);
    expect(limited[0]!.message).toContain("monthly limit of $60.00");
  });

  it("holds a charge back after the daily count of automatic charges", async () => {
    const account = await accountWith(app, { balance: "20.00" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    for (let i = 0; i < 3; i++) {
      await debit(app, account.id, i === 0 ? "15.00" : "50.00");
      await settled(app, account);
    }
    expect((await recharges(app, account)).map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    const state = await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key });
    expect(state.body.limit_reached).toBe("daily_count");
    expect((await notifications(app, account)).filter((n) => n.type === "auto_recharge.limit_reached")).toHaveLength(1);
    // Manual top-ups are the user's own act and are not limited by the count.
    const manual = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "25" } });
    expect(manual.status).toBe(201);
    expect((await settled(app, account))[0]).toMatchObject({ trigger: "manual", status: "succeeded" });
  });

  it("holds back the retry a new card would make after the daily count, as every automatic charge", async () => {
    const account = await accountWith(app, { balance: "20.00" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    await debit(app, account.id, "15.00"); // $5: charge $50 (1 of 2 today)
    await settled(app, account);
    await addCard(app, account, CARDS.declinesOnCharge, true);
    await debit(app, account.id, "50.00"); // $5 again: charge (2 of 2), declined: failing
    expect((await settled(app, account)).map((r) => r.status)).toEqual(["failed", "succeeded"]);
    // A new card retries at once, but two automatic charges were made today: held back, said once.
    await addCard(app, account, CARDS.visa);
    expect((await recharges(app, account)).map((r) => r.status)).toEqual(["failed", "succeeded"]);
    const state = await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key });
    expect(state.body).toMatchObject({ limit_reached: "daily_count", state: "failing" });
    expect((await notifications(app, account)).filter((n) => n.type === "auto_recharge.limit_reached")).toHaveLength(1);
  });

  it("sends balance.low when the balance crosses the threshold with Auto-Recharge off", async () => {
    const account = await accountWith(app, { balance: "20.00" });
    await debit(app, account.id, "15.00");
    await debit(app, account.id, "1.00");
    const low = (await notifications(app, account)).filter((n) => n.type === "balance.low");
    expect(low).toHaveLength(1);
    expect(low[0]!.message).toContain("Auto-Recharge is off");
  });
});
