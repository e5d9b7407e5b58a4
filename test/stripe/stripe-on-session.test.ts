import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, CARDS, getAccount, notifications, recharges, useScenarioApp, waitFor } from "../support/scenario.js";
import { confirmFromBrowser } from "../support/stripe-server/stripe-browser.js";

// Add funds on Stripe, on-session (issue 30): the API makes the PaymentIntent, the customer's
// browser confirms it with Stripe.js (a bank may ask for 3-D Secure), and the recharge is settled
// once, by Stripe's event or the page's look-up, whichever comes first. Here the browser's part is
// played with the publishable key, as Stripe.js sends it (the browser tests run the page itself).
const app = useScenarioApp({ PREPAID_PAYMENTS: "stripe" });

async function credits(rechargeId: string): Promise<bigint> {
  const [row] = await queryRows<{ n: bigint }>(app.db.db, sql`select count(*)::bigint as n from ledger_entries where recharge_id = ${rechargeId}`);
  return row!.n;
}

async function topUp(account: { id: string; key: string }, body: Record<string, unknown>) {
  return app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body });
}

async function authenticate(account: { id: string; key: string }, rechargeId: string) {
  return app.request("POST", `/v1/accounts/${account.id}/recharges/${rechargeId}/authentication`, { key: account.key });
}

async function lookUp(account: { id: string; key: string }, rechargeId: string) {
  return app.request("POST", `/v1/accounts/${account.id}/recharges/${rechargeId}/lookup`, { key: account.key });
}

const intents = (accountId: string) => app.stripe!.paymentIntentsOf(app.stripe!.customerIdOf(accountId)!);

describe("Add funds on Stripe, on-session", () => {
  it("an API key charges off-session unless it asks: on_session waits for the customer, and the worker never charges it", async () => {
    const account = await accountWith(app, { balance: "1.00" });
    await addCard(app, account, CARDS.visa);
    const offSession = await topUp(account, { amount: "10.00" });
    expect(offSession.status).toBe(201);
    expect(offSession.body.confirm_by).toBeNull();
    await waitFor("the off-session top-up to settle", async () => ((await recharges(app, account))[0]?.status === "succeeded" ? true : undefined));

    const onSession = await topUp(account, { amount: "25.00", on_session: true });
    expect(onSession.status).toBe(201);
    const confirmBy = Date.parse(onSession.body.confirm_by);
    // 15 minutes to confirm it (ON_SESSION_CONFIRM_MS), from the database's clock.
    expect(confirmBy - Date.parse(onSession.body.created_at)).toBeGreaterThan(14.9 * 60_000);
    expect(confirmBy - Date.parse(onSession.body.created_at)).toBeLessThan(15.1 * 60_000);
    // Workers poll every few milliseconds here; a second later nothing was charged and no payment made.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await recharges(app, account))[0]).toMatchObject({ id: onSession.body.id, status: "pending", attempts: 0 });
    expect(intents(account.id)).toHaveLength(1);
    // One charge at a time: another top-up waits for this one.
    const second = await topUp(account, { amount: "5.00", on_session: true });
    expect(second.status).toBe(400);
    expect(second.body.error.message).toContain("already in progress");
  });

  it("a card with no challenge: the browser confirms, the look-up credits it once; the event and a second look-up change nothing", async () => {
    const account = await accountWith(app, { balance: "1.00" });
    await addCard(app, account, CARDS.visa);
    app.stripe!.holdWebhooks = true;
    try {
      const created = await topUp(account, { amount: "25.00", on_session: true });
      const auth = await authenticate(account, created.body.id);
      expect(auth.status).toBe(200);
      expect(auth.body).toMatchObject({ publishable_key: app.stripe!.publishableKey, payment_method: expect.stringMatching(/^pm_/) });
      // Asking again answers the same PaymentIntent (the recharge's idempotency key).
      expect((await authenticate(account, created.body.id)).body.payment_intent_id).toBe(auth.body.payment_intent_id);
      expect(intents(account.id).filter((pi) => pi.metadata.recharge_id === created.body.id)).toHaveLength(1);

      const confirmed = await confirmFromBrowser(app.stripe!, `payment_intents/${auth.body.payment_intent_id}`, { client_secret: auth.body.client_secret, payment_method: auth.body.payment_method });
      expect(confirmed.status).toBe("succeeded");
      const looked = await lookUp(account, created.body.id);
      expect(looked.status).toBe(200);
      expect(looked.body).toMatchObject({ status: "succeeded", confirm_by: null });
      expect((await lookUp(account, created.body.id)).body.status).toBe("succeeded");
      for (const event of app.stripe!.takePendingEvents()) expect(await app.stripe!.deliver(event)).toBe(200);
      expect(await credits(created.body.id)).toBe(1n);
      expect((await getAccount(app, account)).balance).toBe("26.00");
    } finally {
      app.stripe!.holdWebhooks = false;
    }
  });

  it("the event first: Stripe's event settles it, the page's look-up after finds it settled; credited once", async () => {
    const account = await accountWith(app, { balance: "1.00" });
    await addCard(app, account, CARDS.visa);
    const created = await topUp(account, { amount: "25.00", on_session: true });
    const auth = await authenticate(account, created.body.id);
    await confirmFromBrowser(app.stripe!, `payment_intents/${auth.body.payment_intent_id}`, { client_secret: auth.body.client_secret, payment_method: auth.body.payment_method });
    await waitFor("the event to settle it", async () => ((await recharges(app, account))[0]?.status === "succeeded" ? true : undefined));
    expect((await lookUp(account, created.body.id)).body.status).toBe("succeeded");
    expect(await credits(created.body.id)).toBe(1n);
  });

  it("a card that asks for 3-D Secure: the challenge passed credits it; failed, the payment is cancelled, nothing charged, and the user told so", async () => {
    const account = await accountWith(app, { balance: "1.00" });
    await addCard(app, account, CARDS.authenticationRequired);

    const passed = await topUp(account, { amount: "25.00", on_session: true });
    const auth = await authenticate(account, passed.body.id);
    const challenged = await confirmFromBrowser(app.stripe!, `payment_intents/${auth.body.payment_intent_id}`, { client_secret: auth.body.client_secret, payment_method: auth.body.payment_method });
    expect(challenged.status).toBe("requires_action");
    // While the challenge is open the look-up leaves it to the customer.
    expect((await lookUp(account, passed.body.id)).body).toMatchObject({ status: "pending" });
    app.stripe!.completeChallenge(auth.body.payment_intent_id, "complete");
    expect((await lookUp(account, passed.body.id)).body.status).toBe("succeeded");

    const failed = await topUp(account, { amount: "30.00", on_session: true });
    const auth2 = await authenticate(account, failed.body.id);
    await confirmFromBrowser(app.stripe!, `payment_intents/${auth2.body.payment_intent_id}`, { client_secret: auth2.body.client_secret, payment_method: auth2.body.payment_method });
    app.stripe!.completeChallenge(auth2.body.payment_intent_id, "fail");
    const ended = await lookUp(account, failed.body.id);
    expect(ended.body).toMatchObject({ status: "failed", failure_code: "authentication_failed", failure_message: "Your bank's check was not completed, so nothing was charged." });
    expect(intents(account.id).find((pi) => pi.id === auth2.body.payment_intent_id)!.status).toBe("canceled");
    expect(await credits(failed.body.id)).toBe(0n);
    expect((await getAccount(app, account)).balance).toBe("26.00");
    // A manual top-up's failure does not mark Auto-Recharge failing; the user is told.
    expect((await getAccount(app, account)).auto_recharge.state).not.toBe("failing");
    const notice = (await notifications(app, account)).find((n) => n.type === "recharge.failed");
    expect(notice?.message).toContain("nothing was charged");
    // Nothing left to confirm on either.
    expect((await authenticate(account, failed.body.id)).status).toBe(400);
    expect((await authenticate(account, passed.body.id)).status).toBe(400);
  });

  it("a look-up of another account's recharge is 404, and a sandbox-only or settled recharge has nothing to confirm", async () => {
    const account = await accountWith(app, { balance: "1.00" });
    const stranger = await accountWith(app);
    await addCard(app, account, CARDS.visa);
    const created = await topUp(account, { amount: "25.00", on_session: true });
    expect((await app.request("POST", `/v1/accounts/${stranger.id}/recharges/${created.body.id}/lookup`, { key: stranger.key })).status).toBe(404);
    expect((await app.request("POST", `/v1/accounts/${account.id}/recharges/${created.body.id}/lookup`, { key: stranger.key })).status).toBe(404);
    expect((await app.request("POST", `/v1/accounts/${stranger.id}/recharges/${created.body.id}/authentication`, { key: stranger.key })).status).toBe(404);
  });
});
