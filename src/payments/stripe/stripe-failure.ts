/**
 * Stripe's error, reduced to what classification needs (the SDK's StripeError has these fields;
 * a PaymentIntent's `last_payment_error` has code and decline_code).
 */
export interface StripeFailure {
  /** The SDK's class name (StripeCardError, StripeConnectionError, …) or the raw error type (card_error). */
  type?: string | undefined;
  statusCode?: number | undefined;
  code?: string | undefined;
  decline_code?: string | undefined;
}

/** Issuer reasons behind a generic `card_declined` that have their own name in docs/concepts.md. */
const NAMED_DECLINES = new Set(["insufficient_funds", "lost_card", "stolen_card", "fraudulent", "expired_card", "incorrect_cvc", "authentication_required"]);

/**
 * Our failure code for a Stripe failure; decline.ts's classifyFailure then says hard or soft.
 * Card errors keep Stripe's code (the issuer's reason when it is one we name); anything that
 * says "Stripe or the road to it failed" is soft, because the charge may or may not have
 * happened and the worker looks it up before trying again. A request Stripe refused as
 * invalid (a detached card, say) can only fail the same way again: it keeps its code and,
 * being unknown to decline.ts, counts as hard.
 */
export function failureCodeOf(failure: StripeFailure): string {
  const type = failure.type ?? "";
  // A 3-D Secure challenge the customer failed or abandoned: nothing was charged.
  if (failure.code === "payment_intent_authentication_failure" || failure.code === "setup_intent_authentication_failure") return "authentication_failed";
  if (type === "StripeCardError" || type === "card_error") {
    if (failure.code === "card_declined" && failure.decline_code && NAMED_DECLINES.has(failure.decline_code)) return failure.decline_code;
    return failure.code ?? "card_declined";
  }
  if (type === "StripeConnectionError") return "network_error";
  if (type === "StripeAPIError" || type === "api_error" || type === "StripeRateLimitError" || type === "StripeIdempotencyError") {
    return "provider_unavailable";
  }
  // Our own keys rejected: an operator's configuration problem, not the user's card. Soft, so
  // accounts are not marked failing while the operator fixes it (and the log says so).
  if (type === "StripeAuthenticationError" || type === "StripePermissionError") return "provider_unavailable";
  if ((failure.statusCode ?? 0) >= 500) return "provider_unavailable";
  return failure.code ?? "invalid_request";
}
