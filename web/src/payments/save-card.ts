import type { Api } from "../api/client.js";
import type { CardSetup, SavedPaymentMethod } from "../api/types.js";
import { stripePost } from "./stripe-api.js";

export interface TypedCard {
  digits: string;
  month: number;
  year: number;
  cvc: string;
}

/**
 * Saves a typed card. Sandbox: the card goes to our API, which vaults it at the sandbox.
 * Stripe: the card goes from the browser to Stripe's API with the publishable key, as
 * Stripe.js does (creating a payment method, then confirming the account's SetupIntent with
 * it), and our API receives only the payment method's id. Against the real Stripe a
 * production deployment would use Stripe.js Elements here; the requests are the same.
 */
export async function saveCard(api: Api, accountId: string, provider: "sandbox" | "stripe", card: TypedCard, makeDefault: boolean): Promise<SavedPaymentMethod> {
  const path = `/v1/accounts/${accountId}/payment-methods`;
  if (provider === "sandbox") {
    return api.send<SavedPaymentMethod>("POST", path, { card: { number: card.digits, exp_month: card.month, exp_year: card.year, cvc: card.cvc }, default: makeDefault });
  }
  const setup = await api.send<CardSetup>("POST", `${path}/setup`, {});
  if (!setup.publishable_key) throw new Error("Stripe is not fully configured (no publishable key): ask the operator to set STRIPE_PUBLISHABLE_KEY.");
  const paymentMethod = await stripePost<{ id: string }>(setup, "/v1/payment_methods", {
    type: "card",
    "card[number]": card.digits,
    "card[exp_month]": String(card.month),
    "card[exp_year]": String(card.year),
    "card[cvc]": card.cvc,
  });
  await stripePost(setup, `/v1/setup_intents/${encodeURIComponent(setup.setup_intent_id)}/confirm`, {
    payment_method: paymentMethod.id,
    client_secret: setup.client_secret,
  });
  return api.send<SavedPaymentMethod>("POST", path, { provider_payment_method: paymentMethod.id, default: makeDefault });
}
