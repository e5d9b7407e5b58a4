import { describe, expect, it } from "vitest";
import { accountWith, addCard, CARDS, getAccount, providerCharges, saveAutoRecharge, settled, useScenarioApp } from "../support/scenario.js";

// A slow provider keeps the first charge in flight while the duplicate saves arrive.
const app = useScenarioApp({ PREPAID_SANDBOX_DELAY_MS: "300" });

describe("threshold sync", () => {
  it("charges at once when saved below the threshold: $5, threshold $15, amount $50 → $55", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    const card = await addCard(app, account, CARDS.visa);
    const preview = await app.request("POST", `/v1/accounts/${account.id}/auto-recharge/preview`, {
      key: account.key,
      body: { enabled: true, threshold: "15", amount: "50" },
    });
    expect(preview.body).toMatchObject({ will_charge: true, amount: "50.00", message: "This will charge $50.00 to Visa •••• 4242 now." });
    expect(preview.body.card.id).toBe(card.id);
    expect(await providerCharges(app, account.id)).toHaveLength(0); // the preview wrote nothing

    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "15", amount: "50" });
    expect(saved.status).toBe(200);
    expect(saved.body.triggered_recharge).toMatchObject({ trigger: "threshold_sync", amount: "50.00", status: "pending" });
    expect(saved.body.state).toBe("recharging");
    const list = await settled(app, account);
    expect(list.map((r) => [r.trigger, r.amount, r.status])).toEqual([["threshold_sync", "50.00", "succeeded"]]);
    expect((await getAccount(app, account)).balance).toBe("55.00");
  });

  it("charges once for a double-submitted save, with the same or different Idempotency-Keys, in parallel", async () => {
    for (const keys of [["same", "same", "same"], ["a", "b", "c"], [undefined, undefined, "d"]]) {
      const account = await accountWith(app, { balance: "5.00" });
      await addCard(app, account, CARDS.visa);
      const body = { enabled: true, threshold: "15", amount: "50" };
      const results = await Promise.all(
        keys.map((k) => saveAutoRecharge(app, account, body, k ? { "Idempotency-Key": k } : undefined)),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(results.filter((r) => r.body.triggered_recharge !== null).length).toBeGreaterThanOrEqual(1);
      expect(new Set(results.map((r) => r.body.triggered_recharge?.id).filter(Boolean)).size).toBe(1);
      const list = await settled(app, account);
      expect(list).toHaveLength(1);
      expect((await getAccount(app, account)).balance).toBe("55.00");
      expect(await providerCharges(app, account.id)).toHaveLength(1);
    }
  });

  it("says when saving will not charge, and why", async () => {
    const account = await accountWith(app, { balance: "20.00" });
    await addCard(app, account, CARDS.visa);
    const preview = await app.request("POST", `/v1/accounts/${account.id}/auto-recharge/preview`, {
      key: account.key,
      body: { enabled: true, threshold: "15", amount: "50" },
    });
    expect(preview.body).toMatchObject({ will_charge: false, amount: null, reason: "above_threshold" });
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "15", amount: "50" });
    expect(saved.body.triggered_recharge).toBeNull();
  });

  it("charges the smallest multiple that lifts a negative balance to the threshold", async () => {
    const account = await accountWith(app, { balance: "1.00" });
    await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "-121.00", reason: "usage owed" } });
    await addCard(app, account, CARDS.visa);
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    expect(saved.body.triggered_recharge.amount).toBe("150.00");
    await settled(app, account);
    expect((await getAccount(app, account)).balance).toBe("30.00");
  });

  it("validates settings: enabling needs a card, limits hold, bad amounts write nothing", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    const noCard = await saveAutoRecharge(app, account, { enabled: true, threshold: "15", amount: "50" });
    expect(noCard.status).toBe(400);
    expect(noCard.body.error.code).toBe("payment_method_required");
    await addCard(app, account, CARDS.visa);
    for (const [body, message] of [
      [{ threshold: "abc" }, "threshold: must be a plain decimal"],
      [{ amount: "0.001" }, "amount: must be whole cents"],
      [{ amount: "4.99" }, "amount: must be between 5.00 and 10000.00"],
      [{ threshold: "10000.01" }, "threshold: must be between 0.00 and 10000.00"],
      [{ amount: "50", monthly_limit: "20" }, "monthly_limit: must be at least the Auto-Recharge amount"],
      [{ enabled: "yes" }, "enabled"],
      [{ payment_method_id: "pm_nope" }, "payment method not found"],
    ] as const) {
      const res = await saveAutoRecharge(app, account, body);
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.body.error.message).toContain(message);
    }
    const state = await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key });
    expect(state.body).toMatchObject({ enabled: false, threshold: "10.00", amount: "50.00", state: "off" });
    expect(await providerCharges(app, account.id)).toHaveLength(0);
  });

  it("keeps fields left out of a PUT, and disabling stops the trigger", async () => {
    const account = await accountWith(app, { balance: "100.00" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "20", amount: "40", monthly_limit: "400" });
    const partial = await saveAutoRecharge(app, account, { amount: "60" });
    expect(partial.body).toMatchObject({ enabled: true, threshold: "20.00", amount: "60.00", monthly_limit: "400.00" });
    const off = await saveAutoRecharge(app, account, { enabled: false });
    expect(off.body).toMatchObject({ enabled: false, state: "off", threshold: "20.00" });
    await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "-95.00", reason: "drain" } });
    expect(await settled(app, account)).toHaveLength(0);
  });
});
