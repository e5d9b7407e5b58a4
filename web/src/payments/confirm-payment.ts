import type { Api } from "../api/client.js";
import type { Page, PaymentAuthentication, Recharge } from "../api/types.js";
import { stripeErrorText, stripeFor } from "./stripe-js.js";

/**
 * Confirms a recharge's payment as the customer, on-session, with Stripe.js: an Add funds
 * top-up on Stripe, or an automatic charge the bank held for authentication. Stripe.js shows
 * the bank's challenge when there is one. Then our API asks Stripe itself what happened and
 * settles it (the browser's word is not proof of payment): a failed or abandoned challenge
 * leaves nothing charged. Answers the recharge as the API has it then, and Stripe.js's error.
 */
export async function confirmRecharge(api: Api, accountId: string, rechargeId: string): Promise<{ recharge: Recharge; error: string | undefined }> {
  const base = `/v1/accounts/${accountId}/recharges/${rechargeId}`;
  const auth = await api.send<PaymentAuthentication>("POST", `${base}/authentication`, {});
  const stripe = await stripeFor(auth.publishable_key);
  const result = await stripe.confirmPayment({
    clientSecret: auth.client_secret,
    confirmParams: { ...(auth.payment_method ? { payment_method: auth.payment_method } : {}), return_url: window.location.href },
    redirect: "if_required",
  });
  const recharge = await api.send<Recharge>("POST", `${base}/lookup`, {});
  return { recharge, error: result.error ? stripeErrorText(result.error, "payment") : undefined };
}

/**
 * The failure banner's "Confirm payment": the recharge the bank held, confirmed as above.
 * Returns what to tell the user.
 */
export async function confirmHeldPayment(api: Api, accountId: string): Promise<string> {
  const recent = await api.get<Page<Recharge>>(`/v1/accounts/${accountId}/recharges?limit=20`);
  const held = recent.data.find((r) => r.status === "failed" && r.failure_code === "authentication_required");
  if (!held) return "There is no payment waiting for confirmation.";
  const { recharge, error } = await confirmRecharge(api, accountId, held.id);
  if (recharge.status === "succeeded") return "Payment confirmed. Your balance is updated.";
  if (error) return `${error} Try again, or update your card.`;
  return "The payment is not confirmed yet; your balance updates when your bank confirms it.";
}
