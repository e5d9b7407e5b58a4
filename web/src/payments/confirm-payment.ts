import type { Api } from "../api/client.js";
import type { Page, PaymentAuthentication, Recharge } from "../api/types.js";
import { stripePost } from "./stripe-api.js";

/**
 * The on-session step after `authentication_required`: find the recharge the bank held, ask our
 * API for its PaymentIntent, and confirm it at Stripe as the customer. Stripe's
 * `payment_intent.succeeded` event then credits the wallet (our API never charges here).
 * Returns what to tell the user.
 */
export async function confirmHeldPayment(api: Api, accountId: string): Promise<string> {
  const recent = await api.get<Page<Recharge>>(`/v1/accounts/${accountId}/recharges?limit=20`);
  const held = recent.data.find((r) => r.status === "failed" && r.failure_code === "authentication_required");
  if (!held) return "There is no payment waiting for confirmation.";
  const auth = await api.send<PaymentAuthentication>("POST", `/v1/accounts/${accountId}/recharges/${held.id}/authentication`, {});
  const intent = await stripePost<{ status: string }>(auth, `/v1/payment_intents/${encodeURIComponent(auth.payment_intent_id)}/confirm`, {
    client_secret: auth.client_secret,
  });
  if (intent.status === "succeeded") return "Payment confirmed. Your balance is updated in a moment.";
  if (intent.status === "requires_action") return "Your bank needs a verification this page cannot show. Add another card instead.";
  return `The payment could not be confirmed (${intent.status}). Add another card instead.`;
}
