import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, CARDS, getAccount, notifications, providerCharges, recharges, saveAutoRecharge, settled, useScenarioApp, waitFor } from "../support/scenario.js";

// The backup card (issue 30): after a hard decline of an automatic charge on the primary card,
// one `backup` recharge of the same amount on the backup card, at once, under its own key; one
// notice with both outcomes; failing (and a pause) only when both fail; limits count it.
// Three automatic charges a day here, so the count is reached by the third.
const app = useScenarioApp({ PREPAID_MAX_AUTO_CHARGES_PER_DAY: "3" });

async function withBackup(balance: string, primaryNumber: string, backupNumber: string) {
  const account = await accountWith(app, { balance, webWidget: true });
  const primary = await addCard(app, account, primaryNumber, true);
  const backup = await addCard(app, account, backupNumber);
  return { account, primary, backup };
}

describe("backup card", () => {
  it("rescues a hard decline: the backup is charged once, the wallet credited once, one notice tells both, Auto-Recharge stays healthy", async () => {
    const { account, primary, backup } = await withBackup("3.00", CARDS.declined, CARDS.visa);
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "25", backup_payment_method_id: backup.id });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ backup_payment_method_id: backup.id, backup_card: { id: backup.id, last4: "4242" } });
    const list = await waitFor("the backup's charge to settle", async () => {
      const rows = await settled(app, account);
      return rows.length === 2 ? rows : undefined;
    });
    expect(list.map((r) => [r.trigger, r.status, r.amount])).toEqual([["backup", "succeeded", "25.00"], ["threshold_sync", "failed", "25.00"]]);
    const [rescue, declined] = list;
    expect(declined!.failure_code).toBe("card_declined");
    const after = await getAccount(app, account);
    expect(after).toMatchObject({ balance: "28.00", status: "active" });
    expect(after.auto_recharge.state).toBe("idle");
    // Each charged once, under its own key.
    const charges = await providerCharges(app, account.id);
    expect(charges.map((c) => c.idempotency_key).sort()).toEqual([declined!.id, rescue!.id].sort());
    // One notice, naming both outcomes; no separate failure notice for the primary.
    const notices = (await notifications(app, account)).filter((n) => n.type.startsWith("recharge."));
    expect(notices.map((n) => n.type)).toEqual(["recharge.succeeded"]);
    expect(notices[0]!.message).toContain(`Visa •••• 0002 was declined (Your card was declined.), so your backup card was charged instead.`);
    expect(notices[0]!.data).toMatchObject({ after_decline: { card: "Visa •••• 0002", failure_code: "card_declined" } });
    expect(primary.id).not.toBe(backup.id);
  });

  it("both cards failing: failing on the primary, the account paused, one notice with both outcomes", async () => {
    const { account, primary, backup } = await withBackup("0.10", CARDS.declined, CARDS.insufficientFunds);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "25", backup_payment_method_id: backup.id });
    const list = await waitFor("both charges to settle", async () => {
      const rows = await settled(app, account);
      return rows.length === 2 ? rows : undefined;
    });
    expect(list.map((r) => [r.trigger, r.status, r.failure_code])).toEqual([["backup", "failed", "insufficient_funds"], ["threshold_sync", "failed", "card_declined"]]);
    const after = await getAccount(app, account);
    expect(after).toMatchObject({ balance: "0.10", status: "paused" });
    expect(after.auto_recharge).toMatchObject({ state: "failing", failure: { code: "insufficient_funds" } });
    const [row] = await queryRows<{ failing_payment_method_id: string }>(app.db.db, sql`select failing_payment_method_id from auto_recharge_settings where account_id = ${account.id}`);
    expect(row!.failing_payment_method_id).toBe(primary.id);
    const notices = (await notifications(app, account)).filter((n) => n.type.startsWith("recharge."));
    expect(notices.map((n) => n.type)).toEqual(["recharge.failed"]);
    expect(notices[0]!.message).toMatch(/^Auto-Recharge of \$25\.00 failed on both cards: Visa •••• 0002 was declined \(Your card was declined\.\) and the backup card Visa •••• 9995 failed too: Your card has insufficient funds\./);
  });

  it("a manual top-up's decline never reaches for the backup card", async () => {
    const { account, backup } = await withBackup("20.00", CARDS.declined, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "25", backup_payment_method_id: backup.id });
    const manual = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "10.00" } });
    expect(manual.status).toBe(201);
    const [only] = await waitFor("the top-up to settle", async () => {
      const rows = await settled(app, account);
      return rows.length === 1 ? rows : undefined;
    });
    expect(only).toMatchObject({ trigger: "manual", status: "failed" });
    await new Promise((r) => setTimeout(r, 500));
    expect(await recharges(app, account)).toHaveLength(1);
  });

  it("limits count the backup charge: with three automatic charges a day, a decline and its rescue leave one", async () => {
    const { account, backup } = await withBackup("3.00", CARDS.declined, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "25", backup_payment_method_id: backup.id });
    await waitFor("the rescue", async () => ((await settled(app, account)).length === 2 ? true : undefined));
    // Below the threshold again: the day's third automatic charge is the primary's (the rescue
    // cleared its failing state), declined again; its backup would be the fourth, which the
    // count refuses, so Auto-Recharge is failing and held by the daily count.
    await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "-20.00", reason: "usage" } });
    const rows = await waitFor("the next charge and its limit", async () => {
      const list = await settled(app, account);
      return list.length === 3 ? list : undefined;
    });
    expect(rows.map((r) => [r.trigger, r.status])).toEqual([["auto", "failed"], ["backup", "succeeded"], ["threshold_sync", "failed"]]);
    const after = await getAccount(app, account);
    expect(after.auto_recharge).toMatchObject({ state: "failing", limit_reached: "daily_count" });
    expect(after.balance).toBe("8.00");
  });

  it("is refused when it is the primary card or unknown, writing nothing; a removed backup card is simply unset", async () => {
    const { account, primary, backup } = await withBackup("50.00", CARDS.visa, CARDS.insufficientFunds);
    const same = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "25", payment_method_id: primary.id, backup_payment_method_id: primary.id });
    expect(same.status).toBe(400);
    expect(same.body.error).toMatchObject({ code: "invalid_request", field: "backup_payment_method_id" });
    const unknown = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "25", backup_payment_method_id: "pm_nope" });
    expect(unknown.status).toBe(404);
    expect((await getAccount(app, account)).auto_recharge).toMatchObject({ enabled: false, backup_payment_method_id: null });
    const consents = await app.request("GET", `/v1/accounts/${account.id}/consents`, { key: account.key });
    expect(consents.body.data).toEqual([]);

    expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "25", backup_payment_method_id: backup.id })).status).toBe(200);
    expect((await app.request("DELETE", `/v1/accounts/${account.id}/payment-methods/${backup.id}`, { key: account.key })).status).toBe(200);
    expect((await getAccount(app, account)).auto_recharge).toMatchObject({ enabled: true, backup_payment_method_id: null, backup_card: null });
  });
});
