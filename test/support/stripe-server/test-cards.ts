/**
 * Stripe's test payment-method ids, as Stripe documents them, each standing for one of the
 * test card numbers (docs/concepts.md). Tests that play the browser may use either form.
 */
export const TEST_PAYMENT_METHODS: Record<string, string> = {
  pm_card_visa: "4242424242424242",
  pm_card_chargeDeclined: "4000000000000002",
  pm_card_chargeDeclinedInsufficientFunds: "4000000000009995",
  pm_card_chargeDeclinedExpiredCard: "4000000000000069",
  pm_card_chargeCustomerFail: "4000000000000341",
  pm_card_authenticationRequired: "4000002760003184",
  pm_card_chargeDeclinedProcessingError: "4000000000000119",
};

/** A failed charge as Stripe reports it: `code`, and for generic declines a `decline_code`. */
export function declineOf(behaviour: string): { code: string; decline_code?: string; message: string } {
  switch (behaviour) {
    case "card_declined":
      return { code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." };
    case "insufficient_funds":
      return { code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." };
    case "expired_card":
      return { code: "expired_card", message: "Your card has expired." };
    case "authentication_required":
      return {
        code: "authentication_required",
        decline_code: "authentication_required",
        message: "Your card was declined. This transaction requires authentication.",
      };
    case "processing_error":
      return { code: "processing_error", message: "An error occurred while processing your card. Try again in a little bit." };
    default:
      throw new Error(`assertion: no decline for ${behaviour}`);
  }
}
