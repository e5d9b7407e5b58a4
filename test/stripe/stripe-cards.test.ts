import { sql } from "drizzle-orm";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { confirmFromBrowser, stripeBrowser } from "../support/stripe-server/stripe-browser.js";
import { accountWith, CARDS, useScenarioApp } from "../support/scenario.js";

const app = useScenarioApp({ PREPAID_PAYMENTS: "stripe" });

/** The SDK as our server holds it (secret key), for checking what the local Stripe has. */
function stripeServerSide(): Stripe {
  const url = new URL(app.stripe!.url);
  return new Stripe(app.stripe!.secretKey, { host: url.hostname, port: url.port, protocol: "http", maxNetworkRetries: 0, telemetry: false });
}

async function savePaymentMethod(account: { id: string; key: string }, body: Record<string, unknown>) {
  return app.request("POST", `/v1/accounts/${account.id}/payment-methods`, { key: account.key, body });
}

describe("cards with Stripe", () => {
  it("saves through a SetupIntent: the browser gives the card to Stripe, our API gets a payment method id", async () => {
    const account = await accountWith(app);
    const setup = await app.request("POST", `/v1/accounts/${account.id}/payment-methods/setup`, { key: account.key });
    expect(setup.status).toBe(201);
    expect(setup.body).toMatchObject({ publishable_key: app.stripe!.publishableKey, api_base: app.stripe!.url });
    expect(setup.body.client_secret).toMatch(/^seti_.+_secret_/);

    // The browser's part, with the publishable key.
    const browser = stripeBrowser(app.stripe!);
    const pm = await browser.paymentMethods.create({ type: "card", card: { number: "4242424242424242", exp_month: 4, exp_year: 2031, cvc: "123" } });
    const confirmed = await confirmFromBrowser(app.stripe!, `setup_intents/${setup.body.setup_intent_id}`, {
      payment_method: pm.id,
      client_secret: setup.body.client_secret,
    });
    expect(confirmed.status).toBe("succeeded");

    const saved = await savePaymentMethod(account, { provider_payment_method: pm.id });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ brand: "visa", last4: "4242", exp_month: 4, exp_year: 2031, is_default: true });
    // Stored: the provider's reference and the card's label, nothing more.
    const [row] = await queryRows<{ provider: string; provider_ref: string }>(
      app.db.db,
      sql`select provider, provider_ref from payment_methods where id = ${saved.body.id}`,
    );
    expect(row).toEqual({ provider: "stripe", provider_ref: pm.id });
    const customer = app.stripe!.customerIdOf(account.id);
    expect((await stripeServerSide().paymentMethods.retrieve(pm.id)).customer).toBe(customer);
  });

  it("refuses a card number, an unknown payment method and another customer's card, writing nothing", async () => {
    const account = await accountWith(app);
    const other = await accountWith(app);
    const raw = await savePaymentMethod(account, { card: { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" } });
    expect(raw.status).toBe(400);
    expect(raw.body.error.message).toContain("not accepted with Stripe");
    expect(raw.body.error.message).not.toContain(CARDS.visa);

    const unknown = await savePaymentMethod(account, { provider_payment_method: "pm_does_not_exist" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe("provider_payment_method: Stripe has no such payment method");

    const pm = await stripeBrowser(app.stripe!).paymentMethods.create({ type: "card", card: { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" } });
    expect((await savePaymentMethod(other, { provider_payment_method: pm.id })).status).toBe(201);
    const stolen = await savePaymentMethod(account, { provider_payment_method: pm.id });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.message).toBe("provider_payment_method: it belongs to another customer");

    const cards = await app.request("GET", `/v1/accounts/${account.id}/payment-methods`, { key: account.key });
    expect(cards.body.data).toEqual([]);
  });
});

describe("the local Stripe keeps Stripe's idempotency rules", () => {
  it("same key and parameters → the first answer again; other parameters → an error; nothing charged twice", async () => {
    const stripe = stripeServerSide();
    const customer = await stripe.customers.create({ metadata: { account_id: "acct_idem" } });
    const pm = await stripe.paymentMethods.create({ type: "card", card: { number: CARDS.visa, exp_month: 1, exp_year: 2033, cvc: "123" } });
    await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    const params = { amount: 5000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true, metadata: { recharge_id: "rch_idem" } };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: "key-1" });
    const again = await stripe.paymentIntents.create(params, { idempotencyKey: "key-1" });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers["idempotent-replayed"]).toBe("true");
    const changed = stripe.paymentIntents.create({ ...params, amount: 6000 }, { idempotencyKey: "key-1" });
    await expect(changed).rejects.toMatchObject({ type: "StripeIdempotencyError" });
    expect(app.stripe!.paymentIntentsOf(customer.id)).toHaveLength(1);
  });

  it("a declining card answers 402 with Stripe's codes, and the same answer on replay", async () => {
    const stripe = stripeServerSide();
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.create({ type: "card", card: { number: CARDS.insufficientFunds, exp_month: 1, exp_year: 2033, cvc: "123" } });
    await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    const params = { amount: 5000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true };
    const declined = { type: "StripeCardError", statusCode: 402, code: "card_declined", decline_code: "insufficient_funds" };
    await expect(stripe.paymentIntents.create(params, { idempotencyKey: "key-2" })).rejects.toMatchObject(declined);
    await expect(stripe.paymentIntents.create(params, { idempotencyKey: "key-2" })).rejects.toMatchObject(declined);
    expect(app.stripe!.paymentIntentsOf(customer.id)).toHaveLength(1);
  });
});
