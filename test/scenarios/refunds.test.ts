import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, getAccount, notifications, recharges, saveAutoRecharge, settled, useScenarioApp, waitFor } from "../support/scenario.js";
import { testPayments, type TestApp } from "../support/test-app.js";

// docs/concepts.md Refunds (issue 18, item 1): the operator refunds a succeeded charge at the
// provider, and the wallet gives the amount back exactly once.

type Account = { id: string; key: string };

function refund(app: TestApp, account: Account, rechargeId: string, body: Record<string, unknown>, idempotencyKey?: string) {
  return app.request("POST", `/v1/accounts/${account.id}/recharges/${rechargeId}/refunds`, {
    key: app.adminKey,
    body,
    ...(idempotencyKey ? { headers: { "Idempotency-Key": idempotencyKey } } : {}),
  });
}

async function refunds(app: TestApp, account: Account) {
  const res = await app.request("GET", `/v1/accounts/${account.id}/refunds`, { key: account.key });
  expect(res.status).toBe(200);
  return res.body.data as Array<{ id: string; amount: string; status: string; provider_refund_id: string | null; recharge_id: string }>;
}

async function refundsSettled(app: TestApp, account: Account) {
  return waitFor("refunds to settle", async () => {
    const list = await refunds(app, account);
    return list.some((r) => r.status === "pending") ? undefined : list;
  });
}

/** The provider's own refunds of an account's charges: the sandbox's table, or the local Stripe's. */
async function providerRefunds(app: TestApp, account: Account): Promise<number> {
  if (app.stripe) return app.stripe.refundsOf(account.id).length;
  const [row] = await queryRows<{ n: bigint }>(
    app.db.db,
    sql`select count(*) as n from sandbox_refunds sr join refunds f on f.provider_refund_id = sr.refund_id where f.account_id = ${account.id}`,
  );
  return Number(row!.n);
}

describe("refunds", () => {
  const app = useScenarioApp();

  it("refunds $20 of a $50 charge once, replays the same request, refuses more than is left, and never starts an automatic charge", async () => {
    const account = await accountWith(app, { webWidget: true });
    await addCard(app, account, "4242424242424242", true);
    // Auto-Recharge on: $50 below $10 — a refund that takes the balance under it must not charge.
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
    expect(topUp.status).toBe(201);
    await settled(app, account);
    expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10.00", amount: "50.00" })).body.triggered_recharge).toBeNull();

    const first = await refund(app, account, topUp.body.id, { amount: "20.00", reason: "customer asked" }, "refund-1");
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ amount: "20.00", status: "pending", recharge_id: topUp.body.id });
    // The same request again: the same refund, not a second one.
    const again = await refund(app, account, topUp.body.id, { amount: "20.00", reason: "customer asked" }, "refund-1");
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);

    const done = await refundsSettled(app, account);
    expect(done).toEqual([expect.objectContaining({ id: first.body.id, status: "succeeded", provider_refund_id: expect.any(String) })]);
    expect((await getAccount(app, account)).balance).toBe("30.00");
    expect((await recharges(app, account))[0]).toMatchObject({ amount: "50.00", refunded: "20.00" });

    // $40 more is over what is left ($30): refused, nothing written.
    const over = await refund(app, account, topUp.body.id, { amount: "40.00", reason: "too much" });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: "invalid_request", field: "amount" });
    expect(over.body.error.message).toContain("30.00");
    expect(await refunds(app, account)).toHaveLength(1);

    // The rest, without an amount: the balance goes to $0, under the threshold, and no charge starts.
    const rest = await refund(app, account, topUp.body.id, { reason: "closing the account" });
    expect(rest.body).toMatchObject({ amount: "30.00" });
    await refundsSettled(app, account);
    expect((await getAccount(app, account)).balance).toBe("0.00");
    expect((await refund(app, account, topUp.body.id, { amount: "1.00", reason: "again" })).status).toBe(400);
    expect((await recharges(app, account)).map((r) => [r.status, r.refunded])).toEqual([["succeeded", "50.00"]]);
    expect(await providerRefunds(app, account)).toBe(2);

    const entries = (await app.request("GET", `/v1/accounts/${account.id}/transactions`, { key: account.key })).body.data;
    expect(entries.filter((e: { type: string }) => e.type === "refund").map((e: { amount: string; recharge_id: string }) => [e.amount, e.recharge_id])).toEqual([
      ["-30.00", topUp.body.id],
      ["-20.00", topUp.body.id],
    ]);
    const audit = (await app.request("GET", `/v1/accounts/${account.id}/audit-log`, { key: account.key })).body.data;
    expect(audit.filter((e: { action: string }) => e.action === "refund.requested")).toHaveLength(2);
    // The account hears of each refund once, with what it left.
    const notices = (await notifications(app, account)).filter((n) => n.type === "refund.succeeded");
    expect(notices.map((n) => [n.data.amount, n.data.balance])).toEqual([
      ["30.00", "0.00"],
      ["20.00", "30.00"],
    ]);
    expect(notices[1]!.message).toBe("Refund: $20.00 of a card payment was given back to your card (customer asked). New balance $30.00.");
  });

  it("five simultaneous $20 refunds of a $50 charge: exactly two are accepted, and the wallet gives back $40 once", async () => {
    const account = await accountWith(app);
    await addCard(app, account, "4242424242424242", true);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
    await settled(app, account);
    // Each request is its own transaction (on PostgreSQL, on its own connection): the charge's lock orders them.
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => refund(app, account, topUp.body.id, { amount: "20.00", reason: `race ${i}` })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 400, 400, 400]);
    expect(answers.filter((a) => a.status === 400).every((a) => a.body.error.message.includes("10.00"))).toBe(true);
    await refundsSettled(app, account);
    expect((await getAccount(app, account)).balance).toBe("10.00");
    expect(await providerRefunds(app, account)).toBe(2);
  });

  it("only the operator refunds, only a succeeded charge of that account", async () => {
    const account = await accountWith(app);
    await addCard(app, account, "4000000000000341", true); // saves, then declines every charge
    const declined = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "10.00" } });
    await settled(app, account);
    expect((await refund(app, account, declined.body.id, { reason: "x" })).status).toBe(400);
    const byOwner = await app.request("POST", `/v1/accounts/${account.id}/recharges/${declined.body.id}/refunds`, { key: account.key, body: { reason: "mine" } });
    expect(byOwner.status).toBe(403);
    const other = await accountWith(app);
    expect((await refund(app, other, declined.body.id, { reason: "not theirs" })).status).toBe(404);
    expect((await refund(app, account, declined.body.id, { amount: "0.00", reason: "nothing" })).status).toBe(400);
    expect(await refunds(app, account)).toEqual([]);
  });

  it.runIf(testPayments === "stripe")("a refund made in Stripe's dashboard reverses the credit once, its event delivered twice and late", async () => {
    const account = await accountWith(app);
    await addCard(app, account, "4242424242424242", true);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
    await settled(app, account);
    const [charge] = await queryRows<{ provider_charge_id: string }>(app.db.db, sql`select provider_charge_id from recharges where id = ${topUp.body.id}`);
    app.stripe!.holdWebhooks = true;
    try {
      app.stripe!.refundInDashboard(charge!.provider_charge_id, 1_500);
      const events = app.stripe!.takePendingEvents();
      expect(events.map((e) => e.type)).toEqual(["charge.refunded"]);
      for (const event of [...events, ...events]) expect(await app.stripe!.deliver(event)).toBe(200);
    } finally {
      app.stripe!.holdWebhooks = false;
    }
    expect((await getAccount(app, account)).balance).toBe("35.00");
    expect(await refunds(app, account)).toEqual([expect.objectContaining({ amount: "15.00", status: "succeeded", reason: "refunded at the payment provider" })]);
    // Our own refund of the rest, then Stripe's event for both refunds again: nothing more moves.
    expect((await refund(app, account, topUp.body.id, { reason: "the rest" })).body).toMatchObject({ amount: "35.00" });
    await refundsSettled(app, account);
    expect((await getAccount(app, account)).balance).toBe("0.00");
    const entries = (await app.request("GET", `/v1/accounts/${account.id}/transactions`, { key: account.key })).body.data;
    expect(entries.filter((e: { type: string }) => e.type === "refund").map((e: { amount: string }) => e.amount)).toEqual(["-35.00", "-15.00"]);
  });
});
