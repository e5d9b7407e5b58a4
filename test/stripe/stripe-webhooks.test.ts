import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, CARDS, getAccount, notifications, recharges, saveAutoRecharge, settled, useScenarioApp, waitFor } from "../support/scenario.js";
import { confirmFromBrowser } from "../support/stripe-server/stripe-browser.js";

// Always on Stripe (the official SDK against the local Stripe), whatever PREPAID_TEST_PAYMENTS says.
// Retries are an hour apart, so only the webhook can settle a charge whose answer was lost.
const app = useScenarioApp({ PREPAID_PAYMENTS: "stripe", PREPAID_RETRY_DELAYS: "1h" });

async function credits(rechargeId: string): Promise<bigint> {
  const [row] = await queryRows<{ n: bigint }>(app.db.db, sql`select count(*)::bigint as n from ledger_entries where recharge_id = ${rechargeId}`);
  return row!.n;
}

async function eventOutcomes(): Promise<Record<string, string>> {
  const rows = await queryRows<{ id: string; outcome: string }>(app.db.db, sql`select id, outcome from stripe_events`);
  return Object.fromEntries(rows.map((r) => [r.id, r.outcome]));
}

/** Posts a payload to our webhook endpoint with a given signature header. */
async function postWebhook(payload: string, signature: string) {
  const res = await fetch(`${app.server.url}/v1/webhooks/stripe`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Stripe-Signature": signature },
    body: payload,
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string }; outcome?: string } };
}

describe("Stripe webhooks", () => {
  it("settle a charge whose answer was lost; a replay and an older failure arriving late change nothing", async () => {
    const stripe = app.stripe!;
    stripe.holdWebhooks = true;
    const account = await accountWith(app, { balance: "5.00" });
    await addCard(app, account, CARDS.visa);
    // Stripe charges, then the connection drops: the worker hears nothing and schedules a retry in 1 h.
    stripe.chargeFaults.push("drop_after");
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    const rechargeId: string = saved.body.triggered_recharge.id;
    const pending = await waitFor("the lost answer to be scheduled for retry", async () => {
      const [r] = await recharges(app, account);
      return r?.status === "pending" && r.attempts === 1 ? r : undefined;
    });
    expect(pending.failure_code).toBe("network_error");
    expect((await getAccount(app, account)).balance).toBe("5.00");

    const [succeeded] = stripe.takePendingEvents();
    expect(succeeded).toMatchObject({ type: "payment_intent.succeeded" });
    expect(await stripe.deliver(succeeded!)).toBe(200);
    expect(await stripe.deliver(succeeded!)).toBe(200); // Stripe delivers at least once
    // An older failure of the same recharge, arriving after the success (out of order).
    const older: Record<string, unknown> = { ...succeeded!, id: "evt_older_failure", type: "payment_intent.payment_failed", created: Number(succeeded!.created) - 60 };
    (older.data as { object: Record<string, unknown> }).object = {
      ...(succeeded!.data as { object: Record<string, unknown> }).object,
      status: "requires_payment_method",
      last_payment_error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
    };
    expect(await stripe.deliver(older)).toBe(200);

    expect(await eventOutcomes()).toEqual({
      [String(succeeded!.id)]: "settled: succeeded",
      evt_older_failure: "ignored: nothing open to settle",
    });
    expect(await credits(rechargeId)).toBe(1n);
    expect((await getAccount(app, account)).balance).toBe("55.00");
    const [settledRecharge] = await settled(app, account);
    expect(settledRecharge).toMatchObject({ id: rechargeId, status: "succeeded", attempts: 1 });
    // One PaymentIntent, confirmed once: the webhook settled it, nothing charged again.
    expect(stripe.chargesOf(account.id)).toEqual([{ idempotency_key: rechargeId, status: "succeeded", attempts: 1, amount_micros: 50_000_000n }]);
    expect((await notifications(app, account)).filter((n) => n.type === "recharge.succeeded")).toHaveLength(1);
    stripe.holdWebhooks = false;
  });

  it("race the synchronous answer and still credit each charge once", async () => {
    const stripe = app.stripe!;
    stripe.chargeDelayMs = 30; // webhook and answer leave Stripe at the same moment
    const accounts = await Promise.all(Array.from({ length: 6 }, () => accountWith(app, { balance: "5.00" })));
    for (const account of accounts) await addCard(app, account, CARDS.visa);
    await Promise.all(accounts.map((account) => saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" })));
    for (const account of accounts) {
      const [r] = await settled(app, account);
      expect(r).toMatchObject({ status: "succeeded" });
      expect(await credits(r!.id)).toBe(1n);
      expect((await getAccount(app, account)).balance).toBe("55.00");
    }
    // Every event was delivered and handled: each either settled or found the answer had.
    await waitFor("webhooks delivered", async () => (stripe.deliveries.filter((d) => d.status === 200).length >= 6 ? true : undefined));
    const outcomes = Object.values(await eventOutcomes());
    expect(new Set(outcomes)).toEqual(new Set(["settled: succeeded", "ignored: nothing open to settle"]));
    stripe.chargeDelayMs = 0;
  });

  it("refuses a bad signature, another secret, and a stale timestamp with 400, writing nothing", async () => {
    const stripe = app.stripe!;
    const event = { id: "evt_forged", object: "event", type: "payment_intent.succeeded", created: 1, data: { object: { id: "pi_x", metadata: { recharge_id: "rch_x" } } } };
    const payload = JSON.stringify(event);
    const before = Object.keys(await eventOutcomes()).length;

    const forged = await postWebhook(payload, "t=1,v1=deadbeef");
    expect(forged.status).toBe(400);
    expect(forged.body.error?.code).toBe("invalid_request");
    expect((await postWebhook(payload, stripe.signature(payload, Math.floor(Date.now() / 1000), "whsec_someone_else"))).status).toBe(400);
    const stale = await postWebhook(payload, stripe.signature(payload, Math.floor(Date.now() / 1000) - 301));
    expect(stale.status).toBe(400);
    expect(stale.body.error?.message).toContain("5 minutes");
    // The same body, altered after signing.
    const signed = stripe.signature(payload);
    expect((await postWebhook(payload.replace("rch_x", "rch_y"), signed)).status).toBe(400);
    const missing = await fetch(`${app.server.url}/v1/webhooks/stripe`, { method: "POST", body: payload });
    expect(missing.status).toBe(400);

    expect(Object.keys(await eventOutcomes())).toHaveLength(before);
    // A correctly signed event about a recharge we do not have is recorded and ignored.
    const ok = await postWebhook(payload, signed);
    expect(ok).toEqual({ status: 200, body: { received: true, outcome: "ignored: nothing open to settle" } });
  });

  it("authentication_required: fails once, tells the user to confirm, and is not retried", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    await addCard(app, account, CARDS.authenticationRequired);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    const [r] = await settled(app, account);
    expect(r).toMatchObject({ status: "failed", failure_code: "authentication_required", attempts: 1 });
    const failure = (await notifications(app, account)).find((n) => n.type === "recharge.failed");
    expect(failure?.message).toContain("confirm");
    expect(app.stripe!.chargesOf(account.id)).toEqual([{ idempotency_key: r!.id, status: "failed", attempts: 1, amount_micros: 50_000_000n }]);
  });

  it("authentication_required: the user confirms on-session, and Stripe's event credits the failed recharge once and resumes", async () => {
    const account = await accountWith(app, { balance: "0.10" });
    await addCard(app, account, CARDS.authenticationRequired);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    const [failed] = await settled(app, account);
    expect(failed).toMatchObject({ status: "failed", failure_code: "authentication_required" });
    expect((await getAccount(app, account)).status).toBe("paused");

    const auth = await app.request("POST", `/v1/accounts/${account.id}/recharges/${failed!.id}/authentication`, { key: account.key });
    expect(auth.status).toBe(200);
    // The browser's part: confirm at Stripe with the publishable key and the client secret.
    const confirmed = await confirmFromBrowser(app.stripe!, `payment_intents/${auth.body.payment_intent_id}`, { client_secret: auth.body.client_secret });
    expect(confirmed.status).toBe("succeeded");

    const [credited] = await waitFor("the event to settle it", async () => {
      const list = await recharges(app, account);
      return list[0]?.status === "succeeded" ? list : undefined;
    });
    expect(credited).toMatchObject({ id: failed!.id, status: "succeeded" });
    expect(await credits(failed!.id)).toBe(1n);
    const after = await getAccount(app, account);
    expect(after).toMatchObject({ balance: "50.10", status: "active" });
    expect(after.auto_recharge.state).toBe("idle");
    // Nothing left to confirm; and a recharge that did not fail this way cannot be "authenticated".
    const again = await app.request("POST", `/v1/accounts/${account.id}/recharges/${failed!.id}/authentication`, { key: account.key });
    expect(again.status).toBe(400);
    expect(app.stripe!.chargesOf(account.id)).toHaveLength(1);
  });
});
