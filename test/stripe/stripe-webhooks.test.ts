import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { verifyLedger } from "../../src/ledger/verify.js";
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
    const event = {
      id: "evt_forged",
      object: "event",
      type: "payment_intent.succeeded",
      created: 1,
      data: { object: { id: "pi_x", object: "payment_intent", amount: 5000, currency: "usd", customer: "cus_x", metadata: { recharge_id: "rch_x" } } },
    };
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
    expect(ok).toEqual({ status: 200, body: { received: true, outcome: "ignored: no recharge of ours has this id" } });
  });

  // Issue 27, item 4: the recharge id in a PaymentIntent's metadata is only a claim.
  it("settles a recharge only with a payment that matches it: a signed success of another customer's or another amount's payment changes nothing", async () => {
    const stripe = app.stripe!;
    const a = await accountWith(app, {});
    const b = await accountWith(app, {});
    await addCard(app, a, CARDS.visa, true);
    await addCard(app, b, CARDS.visa, true);
    const paidA = await app.request("POST", `/v1/accounts/${a.id}/recharges`, { key: a.key, body: { amount: "50.00" } });
    await settled(app, a);
    const [intentA] = await queryRows<{ provider_charge_id: string }>(app.db.db, sql`select provider_charge_id from recharges where id = ${paidA.body.id}`);
    // B's $50 top-up is at Stripe for 3 s: open, nothing charged yet.
    stripe.chargeDelayMs = 3_000;
    try {
      const openB = await app.request("POST", `/v1/accounts/${b.id}/recharges`, { key: b.key, body: { amount: "50.00" } });
      expect(openB.status).toBe(201);
      const forge = (id: string, object: Record<string, unknown>) => {
        const payload = JSON.stringify({ id, object: "event", type: "payment_intent.succeeded", created: Math.floor(Date.now() / 1000), data: { object } });
        return postWebhook(payload, stripe.signature(payload));
      };
      const base = { object: "payment_intent", currency: "usd", status: "succeeded", metadata: { recharge_id: openB.body.id } };
      // A's real $50 payment, claiming B's recharge.
      const otherCustomer = await forge("evt_forged_customer", { ...base, id: intentA!.provider_charge_id, amount: 5_000, customer: stripe.customerIdOf(a.id) });
      expect(otherCustomer).toEqual({ status: 200, body: { received: true, outcome: expect.stringMatching(/^flagged: .* \(customer\); nothing settled$/) } });
      // B's own customer, but $1.
      const otherAmount = await forge("evt_forged_amount", { ...base, id: "pi_forged", amount: 100, customer: stripe.customerIdOf(b.id) });
      expect(otherAmount.body.outcome).toMatch(/\(amount\); nothing settled$/);
      expect((await getAccount(app, b)).balance).toBe("0.00");
      expect((await recharges(app, b))[0]).toMatchObject({ id: openB.body.id, status: "processing" });
      // B's own payment then settles it, once.
      const [done] = await settled(app, b);
      expect(done).toMatchObject({ id: openB.body.id, status: "succeeded" });
      expect(await credits(openB.body.id)).toBe(1n);
      expect((await getAccount(app, b)).balance).toBe("50.00");
      expect((await getAccount(app, a)).balance).toBe("50.00");
    } finally {
      stripe.chargeDelayMs = 0;
    }
  });

  // Issue 27, item 5: refunds never recorded beyond the charge.
  it("a signed charge.refunded listing more refunds than the charge: records what the charge allows, flags the rest", async () => {
    const stripe = app.stripe!;
    const account = await accountWith(app, {});
    await addCard(app, account, CARDS.visa, true);
    const paid = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
    await settled(app, account);
    const [intent] = await queryRows<{ provider_charge_id: string }>(app.db.db, sql`select provider_charge_id from recharges where id = ${paid.body.id}`);
    const refund = (id: string) => ({ id, object: "refund", amount: 3_000, status: "succeeded", payment_intent: intent!.provider_charge_id, metadata: {} });
    const payload = JSON.stringify({
      id: "evt_refunds_beyond",
      object: "event",
      type: "charge.refunded",
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: "ch_beyond", object: "charge", payment_intent: intent!.provider_charge_id, refunds: { object: "list", data: [refund("re_beyond_1"), refund("re_beyond_2")] } } },
    });
    const answer = await postWebhook(payload, stripe.signature(payload));
    expect(answer.status).toBe(200);
    expect(answer.body.outcome).toBe("settled: 2 refund(s); flagged: re_beyond_2 beyond what is left of the charge");
    const listed = (await app.request("GET", `/v1/accounts/${account.id}/refunds`, { key: account.key })).body.data as Array<{ amount: string; status: string }>;
    expect(listed.map((r) => [r.amount, r.status]).sort()).toEqual([
      ["20.00", "succeeded"],
      ["30.00", "succeeded"],
    ]);
    expect((await getAccount(app, account)).balance).toBe("0.00");
    expect(await verifyLedger(app.db.db)).toEqual([]);
  });

  // Issue 27, item 8: Stripe retries any 5xx for days; a signed body that is not an event is a
  // 400 that says what is wrong (never "the signature did not verify"), and nothing is written.
  it("a correctly signed body that is not an event: 400 naming what is wrong, nothing written", async () => {
    const stripe = app.stripe!;
    const before = Object.keys(await eventOutcomes()).length;
    const cases: Array<[string, RegExp]> = [
      ["[]", /not a Stripe event/],
      ["null", /not a Stripe event/],
      ["{}", /not a Stripe event: id/],
      ['"evt_1"', /not a Stripe event/],
      ['{"id":"evt_no_data","type":"payment_intent.succeeded"}', /not a Stripe event: data/],
      ['{"id":"evt_bad","type":"charge.dispute.created","data":{"object":{"id":"dp_1","status":"needs_response"}}}', /charge\.dispute\.created event's data\.object: amount/],
      ['{"id":', /not JSON/],
    ];
    for (const [payload, message] of cases) {
      const answer = await postWebhook(payload, stripe.signature(payload));
      expect(answer.status, payload).toBe(400);
      expect(answer.body.error?.message, payload).toMatch(message);
      expect(answer.body.error?.message, payload).not.toMatch(/signature|Stripe-Signature/);
    }
    expect(Object.keys(await eventOutcomes())).toHaveLength(before);
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
    // The browser's part: confirm at Stripe with the publishable key, the client secret and the
    // card; the bank asks for its challenge (Stripe.js shows it), which the cardholder passes.
    expect(auth.body.payment_method).toMatch(/^pm_/);
    const confirmed = await confirmFromBrowser(app.stripe!, `payment_intents/${auth.body.payment_intent_id}`, { client_secret: auth.body.client_secret, payment_method: auth.body.payment_method });
    expect(confirmed.status).toBe("requires_action");
    app.stripe!.completeChallenge(auth.body.payment_intent_id, "complete");

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
