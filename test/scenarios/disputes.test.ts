import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, debit, getAccount, recharges, saveAutoRecharge, settled, useScenarioApp } from "../support/scenario.js";
import { testPayments } from "../support/test-app.js";

// DESIGN §6 Refunds and disputes (issue 18, item 2): a chargeback takes the credit back once,
// Auto-Recharge stops charging that card while it is open, a refund of the same money reverses
// nothing more, and a dispute won gives it back once. Disputes arrive as Stripe's events.
describe.runIf(testPayments === "stripe")("disputes", () => {
  const app = useScenarioApp();

  it("a dispute takes $50 back once and stops Auto-Recharge on the card; a refund of the same money takes nothing more; won gives $50 back once", async () => {
    const account = await accountWith(app, { webWidget: true });
    await addCard(app, account, "4242424242424242", true);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
    await settled(app, account);
    expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10.00", amount: "50.00" })).body.triggered_recharge).toBeNull();
    const [charge] = await queryRows<{ provider_charge_id: string }>(app.db.db, sql`select provider_charge_id from recharges where id = ${topUp.body.id}`);
    const stripe = app.stripe!;

    // The dispute's event, delivered twice (Stripe retries; a replay is the same event).
    stripe.holdWebhooks = true;
    const dispute = stripe.disputeCharge(charge!.provider_charge_id, 5_000);
    const opened = stripe.takePendingEvents();
    for (const event of [...opened, ...opened]) expect(await stripe.deliver(event)).toBe(200);
    const account1 = await getAccount(app, account);
    expect(account1.balance).toBe("0.00");
    expect(account1.auto_recharge).toMatchObject({ state: "failing" });
    expect(JSON.stringify(account1.auto_recharge)).toContain("disputed");

    // Below the threshold while the dispute is open: a debit does not charge the disputed card.
    expect((await debit(app, account.id, "1.00")).status).toBe(201);
    expect((await recharges(app, account)).map((r) => r.id)).toEqual([topUp.body.id]);

    // A refund of the same money (made in Stripe's dashboard): nothing more comes off.
    stripe.refundInDashboard(charge!.provider_charge_id, 5_000);
    for (const event of stripe.takePendingEvents()) expect(await stripe.deliver(event)).toBe(200);
    expect((await getAccount(app, account)).balance).toBe("-1.00");

    // Won: the $50 comes back once, and Auto-Recharge is no longer failing for it.
    stripe.closeDispute(String(dispute.id), "won");
    const closed = stripe.takePendingEvents();
    for (const event of [...closed, ...closed]) expect(await stripe.deliver(event)).toBe(200);
    stripe.holdWebhooks = false;
    const account2 = await getAccount(app, account);
    expect(account2.balance).toBe("49.00");
    expect(account2.auto_recharge.state).not.toBe("failing");

    const entries = (await app.request("GET", `/v1/accounts/${account.id}/transactions`, { key: account.key })).body.data;
    expect(entries.filter((e: { type: string }) => e.type === "dispute" || e.type === "refund").map((e: { type: string; amount: string }) => [e.type, e.amount])).toEqual([
      ["dispute", "50.00"],
      ["dispute", "-50.00"],
    ]);
  });
});
