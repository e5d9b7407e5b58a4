import type { Stripe } from "@stripe/stripe-js";
import { loadStripe } from "@stripe/stripe-js/pure";

/**
 * Stripe.js, loaded from https://js.stripe.com the first time a Stripe page needs it (the
 * `pure` entry injects nothing on import, so a sandbox deployment never fetches it; the page's
 * CSP admits Stripe's origins only in Stripe mode). One instance per publishable key.
 */
const loaded = new Map<string, Promise<Stripe>>();

export function stripeFor(publishableKey: string | null): Promise<Stripe> {
  if (!publishableKey) return Promise.reject(new Error("Stripe is not fully configured (no publishable key): ask the operator to set STRIPE_PUBLISHABLE_KEY."));
  let stripe = loaded.get(publishableKey);
  if (!stripe) {
    stripe = loadStripe(publishableKey).then((s) => {
      if (!s) throw new Error("Stripe.js did not load. Check your connection and reload the page.");
      return s;
    });
    // A failed load is tried again next time (a network blip, not a setting).
    stripe.catch(() => loaded.delete(publishableKey));
    loaded.set(publishableKey, stripe);
  }
  return stripe;
}

/** What a Stripe.js error says to the customer, in the page's words for the cases we name. */
export function stripeErrorText(error: { code?: string | undefined; message?: string | undefined } | undefined, what: "payment" | "card"): string {
  if (error?.code === "payment_intent_authentication_failure" || error?.code === "setup_intent_authentication_failure") {
    return what === "payment"
      ? "Your bank's check was not completed, so nothing was charged."
      : "Your bank's check was not completed, so the card was not saved. Try again, or use another card.";
  }
  return error?.message ?? (what === "payment" ? "The payment could not be confirmed." : "The card could not be saved.");
}
