/** Failure codes a gateway reports, Stripe's names. */
export const HARD_DECLINES = [
  "card_declined",
  "insufficient_funds",
  "expired_card",
  "incorrect_cvc",
  "lost_card",
  "stolen_card",
  "fraudulent",
  "authentication_required",
] as const;

export const SOFT_FAILURES = ["processing_error", "timeout", "provider_unavailable", "network_error"] as const;

/**
 * Ends a recharge without a word from the card: it was never charged because the card was
 * removed first (the contract leaves this open; docs/decisions.md says why it ends rather than
 * moves), or because the customer did not confirm an on-session payment in time
 * (`payment_not_confirmed`) or failed the bank's check (`authentication_failed`).
 */
export const NOT_CHARGED = ["payment_method_removed", "payment_not_confirmed", "authentication_failed"] as const;

/**
 * Hard: the card will not work as it is; do not retry it, tell the user.
 * Soft: the network or provider failed; retry with backoff, same idempotency key.
 * An unknown code is treated as hard: retrying what we do not understand risks charging
 * a card its owner is disputing, and the user is told either way.
 */
export function classifyFailure(code: string): "hard" | "soft" {
  return (SOFT_FAILURES as readonly string[]).includes(code) ? "soft" : "hard";
}

/** Whether a failure marks Auto-Recharge failing on the card: not when the card was never tried. */
export function marksCardFailing(code: string): boolean {
  return !(NOT_CHARGED as readonly string[]).includes(code);
}

/** The sentence a user reads for a failure, with the step that fixes it. */
export function failureAdvice(code: string): { message: string; nextStep: string } {
  const nextStep = "Update your card in Payments, or add credit manually.";
  switch (code) {
    case "card_declined":
      return { message: "Your card was declined.", nextStep };
    case "insufficient_funds":
      return { message: "Your card has insufficient funds.", nextStep };
    case "expired_card":
      return { message: "Your card has expired.", nextStep };
    case "incorrect_cvc":
      return { message: "Your card's security code was rejected.", nextStep };
    case "lost_card":
    case "stolen_card":
    case "fraudulent":
      return { message: "Your card was declined by its issuer.", nextStep: "Contact your bank or use another card in Payments." };
    case "authentication_required":
      return {
        message: "Your bank asks you to confirm this payment.",
        nextStep: "Open Payments and confirm the charge, or add another card.",
      };
    case "payment_method_removed":
      return {
        message: "The card was removed before it was charged; nothing was charged.",
        nextStep: "Auto-Recharge uses your default card from now on; add one in Payments if you have none.",
      };
    case "payment_not_confirmed":
      return {
        message: "The payment was not confirmed in time, so nothing was charged.",
        nextStep: "Add funds again when you are ready to confirm it with your bank.",
      };
    case "authentication_failed":
      return {
        message: "Your bank's check was not completed, so nothing was charged.",
        nextStep: "Try again, or use another card in Payments.",
      };
    case "processing_error":
    case "timeout":
    case "provider_unavailable":
    case "network_error":
      return { message: "The payment could not be processed after several tries.", nextStep };
    default:
      return { message: `The payment failed (${code}).`, nextStep };
  }
}
