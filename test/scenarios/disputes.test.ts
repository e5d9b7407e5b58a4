import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, debit, getAccount, notifications, recharges, saveAutoRecharge, settled, useScenarioApp, waitFor } from "../support/scenario.js";
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

// The sandbox's test card 4000 0000 0000 0259: every charge succeeds, then the card holder
// disputes it. The sandbox has no webhooks: its disputes are polled and take the same path,
// and one that reaches billing before the charge's own settlement waits for it (parked).
describe.runIf(testPayments === "sandbox")("disputes on the sandbox", () => {
  const app = useScenarioApp();

  it("card 0259: the charge succeeds, then the dispute takes it back once, Auto-Recharge stops charging the card, and the owner is told", async () => {
    const account = await accountWith(app, { balance: "20.00", webWidget: true });
    await addCard(app, account, "4000000000000259", true);
    expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10.00", amount: "50.00" })).status).toBe(200);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
    expect(topUp.status).toBe(201);
    expect((await settled(app, account)).map((r) => r.status)).toEqual(["succeeded"]);
    const disputed = await waitFor("the dispute", async () => {
      const a = await getAccount(app, account);
      return a.auto_recharge.state === "failing" ? a : undefined;
    });
    expect(disputed.balance).toBe("20.00");
    expect(JSON.stringify(disputed.auto_recharge)).toContain("disputed");
    const entries = (await app.request("GET", `/v1/accounts/${account.id}/transactions`, { key: account.key })).body.data as Array<{ type: string; amount: string }>;
    expect(entries.map((e) => [e.type, e.amount])).toEqual([
      ["dispute", "-50.00"],
      ["recharge", "50.00"],
      ["adjustment", "20.00"],
    ]);
    // Below the threshold while it is open: no automatic charge on the disputed card.
    expect((await debit(app, account.id, "15.00")).status).toBe(201);
    expect((await recharges(app, account)).map((r) => r.id)).toEqual([topUp.body.id]);
    const told = (await notifications(app, account)).filter((n) => n.type === "dispute.opened");
    expect(told).toHaveLength(1);
    expect(told[0]!.message).toContain("A card payment of $50.00 was disputed with the bank (Visa •••• 0259)");
    // Handed over once: the poller marked it delivered.
    const [left] = await queryRows<{ n: bigint }>(app.db.db, sql`select count(*)::bigint as n from sandbox_disputes where delivered_at is null`);
    expect(left!.n).toBe(0n);
  });
});
