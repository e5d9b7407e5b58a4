import type { Api } from "../api/client.js";
import type { CardSetup } from "../api/types.js";

export interface TypedCard {
  digits: string;
  month: number;
  year: number;
  cvc: string;
}

/** A refusal that names the card field it is about, so the form shows it there. */
export class CardFieldError extends Error {
  constructor(
    readonly field: "number" | "expiry" | "cvc",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Saves a typed card. Sandbox: the card goes to our API, which vaults it at the sandbox.
 * Stripe: the card goes from the browser to Stripe's API with the publishable key, as
 * Stripe.js does (creating a payment method, then confirming the account's SetupIntent with
 * it), and our API receives only the payment method's id. Against the real Stripe a
 * production deployment would use Stripe.js Elements here; the requests are the same.
 */
export async function saveCard(api: Api, accountId: string, provider: "sandbox" | "stripe", card: TypedCard, makeDefault: boolean): Promise<void> {
  const path = `/v1/accounts/${accountId}/payment-methods`;
  if (provider === "sandbox") {
    await api.send("POST", path, { card: { number: card.digits, exp_month: card.month, exp_year: card.year, cvc: card.cvc }, default: makeDefault });
    return;
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
  await api.send("POST", path, { provider_payment_method: paymentMethod.id, default: makeDefault });
}

/** A request to Stripe's API as Stripe.js makes it: the publishable key, form-encoded parameters. */
export async function stripePost<T>(stripe: { api_base: string; publishable_key: string | null }, path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${stripe.api_base}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${stripe.publishable_key}`, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
  const body = (await res.json().catch(() => ({}))) as T & { error?: { message?: string; param?: string; code?: string } };
  if (res.ok) return body;
  const message = body.error?.message ?? `Stripe answered ${res.status}.`;
  const param = body.error?.param ?? "";
  if (param.includes("number") || body.error?.code === "incorrect_number") throw new CardFieldError("number", message);
  if (param.includes("exp") || body.error?.code?.includes("expiry")) throw new CardFieldError("expiry", message);
  if (param.includes("cvc")) throw new CardFieldError("cvc", message);
  throw new Error(message);
}
