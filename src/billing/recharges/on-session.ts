import type { OnSessionPayment } from "../../payments/gateway.js";

/**
 * How long the customer has to confirm an on-session top-up (Stripe) before it is cancelled:
 * a bank's 3-D Secure challenge times out after about 10 minutes, and 15 leave the page time
 * to come back from one. Until then the recharge is the account's one charge in flight.
 */
export const ON_SESSION_CONFIRM_MS = 15 * 60_000;

/**
 * What to do with an on-session top-up, from what the provider says of its payment. Pure: the
 * worker (at `confirm_by`) and the page's look-up (right after the customer confirmed) gather
 * the facts and execute the step.
 * - succeeded: settle it (credit once; the provider's event may have come first, then this finds it closed).
 * - a confirmation that failed (a failed challenge): cancel it at the provider — nothing was
 *   charged — and fail it with that reason.
 * - not confirmed yet: wait while the customer has time; then cancel it and fail it as
 *   `payment_not_confirmed`. No payment at all (its creation never reached the provider): the same.
 * - the provider did not say: ask again later. Never failed on an unknown.
 */
export type OnSessionStep =
  | { step: "settle_succeeded"; chargeId: string }
  | { step: "settle_failed"; code: string; message: string }
  | { step: "cancel"; code: string; message: string }
  | { step: "wait" }
  | { step: "ask_later"; code: string; message: string };

const NOT_CONFIRMED = { code: "payment_not_confirmed", message: "The customer did not confirm the payment in time." } as const;

export function planOnSession(found: OnSessionPayment | undefined, pastConfirmBy: boolean): OnSessionStep {
  if (found === undefined) return pastConfirmBy ? { step: "settle_failed", ...NOT_CONFIRMED } : { step: "wait" };
  switch (found.state) {
    case "succeeded":
      return { step: "settle_succeeded", chargeId: found.chargeId };
    case "canceled":
      return { step: "settle_failed", ...NOT_CONFIRMED };
    case "failed":
      return { step: "cancel", code: found.code, message: found.message };
    case "awaiting_customer":
      return pastConfirmBy ? { step: "cancel", ...NOT_CONFIRMED } : { step: "wait" };
    case "unknown":
      return { step: "ask_later", code: found.code, message: found.message };
  }
}

/**
 * After asking the provider to cancel it for `reason`: cancelled (or never made) fails it with
 * that reason; a payment that succeeded meanwhile is settled; anything else is asked again.
 */
export function planAfterCancel(after: OnSessionPayment | undefined, reason: { code: string; message: string }): OnSessionStep {
  if (after === undefined || after.state === "canceled") return { step: "settle_failed", code: reason.code, message: reason.message };
  if (after.state === "succeeded") return { step: "settle_succeeded", chargeId: after.chargeId };
  if (after.state === "unknown") return { step: "ask_later", code: after.code, message: after.message };
  return { step: "ask_later", code: "provider_unavailable", message: "The provider did not cancel the payment yet." };
}
