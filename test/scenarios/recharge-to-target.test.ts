import { describe, expect, it } from "vitest";
import { accountWith, addCard, CARDS, debit, getAccount, providerCharges, recharges, saveAutoRecharge, settled, useScenarioApp } from "../support/scenario.js";

const app = useScenarioApp();

describe("Auto-Recharge to a target (issue 17: \"keep me at $100\")", () => {
  it("$12, threshold 10, target 100: a debit to $9.84 charges $90.16 once, and the wallet is at $100.00", async () => {
    const account = await accountWith(app, { balance: "12.00" });
    await addCard(app, account, CARDS.visa);
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", mode: "target", target: "100" });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ mode: "target", target: "100.00", triggered_recharge: null });

    await debit(app, account.id, "2.16");
    const done = await settled(app, account);
    expect(done.map((r) => [r.trigger, r.amount, r.status])).toEqual([["auto", "90.16", "succeeded"]]);
    expect((await getAccount(app, account)).balance).toBe("100.00");
    expect((await providerCharges(app, account.id)).filter((c) => c.status === "succeeded")).toHaveLength(1);
  });

  it("deep negative: −$65 with target 100 is one charge of $165.00, and the preview said so first", async () => {
    const account = await accountWith(app);
    await debit(app, account.id, "65.00");
    await addCard(app, account, CARDS.visa);
    const settings = { enabled: true, threshold: "10", mode: "target", target: "100" };
    const preview = await app.request("POST", `/v1/accounts/${account.id}/auto-recharge/preview`, { key: account.key, body: settings });
    expect(preview.body).toMatchObject({ will_charge: true, amount: "165.00", message: "This will charge $165.00 to Visa •••• 4242 now: what brings your balance of −$65.00 to your Target balance of $100.00." });
    expect(await recharges(app, account)).toEqual([]);

    const saved = await saveAutoRecharge(app, account, settings);
    expect(saved.body.triggered_recharge).toMatchObject({ trigger: "threshold_sync", amount: "165.00" });
    const done = await settled(app, account);
    expect(done.map((r) => [r.amount, r.status])).toEqual([["165.00", "succeeded"]]);
    expect((await getAccount(app, account)).balance).toBe("100.00");
  });

  it("refuses a target not above the threshold, or none in target mode, with the field named, and writes nothing", async () => {
    const account = await accountWith(app, { balance: "50.00" });
    await addCard(app, account, CARDS.visa);
    const before = (await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key })).body;
    for (const body of [
      { enabled: true, threshold: "10", mode: "target", target: "10" },
      { enabled: true, threshold: "10", mode: "target" },
      { enabled: true, threshold: "10", mode: "target", target: "20000.01" },
      { enabled: true, mode: "keep-topped-up", target: "100" },
    ]) {
      const res = await saveAutoRecharge(app, account, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10", mode: "target", target: "10" })).body.error.field).toBe("target");
    expect((await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key })).body).toEqual(before);
  });

  it("back to fixed mode charges the amount again; the target stays for the next switch", async () => {
    const account = await accountWith(app, { balance: "50.00" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", mode: "target", target: "100" });
    const fixed = await saveAutoRecharge(app, account, { mode: "fixed", amount: "25" });
    expect(fixed.body).toMatchObject({ mode: "fixed", amount: "25.00", target: "100.00" });
    await debit(app, account.id, "40.01");
    const done = await settled(app, account);
    expect(done.map((r) => r.amount)).toEqual(["25.00"]);
  });
});
