import { describe, expect, it } from "vitest";
import { classifyFailure } from "../../src/payments/decline.js";
import { failureCodeOf } from "../../src/payments/stripe/stripe-failure.js";

describe("Stripe failures mapped to DESIGN §1's classes", () => {
  const cases: [string, Parameters<typeof failureCodeOf>[0], string, "hard" | "soft"][] = [
    ["generic decline", { type: "StripeCardError", code: "card_declined", decline_code: "generic_decline" }, "card_declined", "hard"],
    ["insufficient funds (a decline_code)", { type: "StripeCardError", code: "card_declined", decline_code: "insufficient_funds" }, "insufficient_funds", "hard"],
    ["stolen card", { type: "card_error", code: "card_declined", decline_code: "stolen_card" }, "stolen_card", "hard"],
    ["expired card", { type: "StripeCardError", code: "expired_card" }, "expired_card", "hard"],
    ["authentication required", { type: "StripeCardError", code: "authentication_required", decline_code: "authentication_required" }, "authentication_required", "hard"],
    ["processing error", { type: "StripeCardError", code: "processing_error" }, "processing_error", "soft"],
    ["connection lost", { type: "StripeConnectionError" }, "network_error", "soft"],
    ["Stripe 500", { type: "StripeAPIError", statusCode: 500 }, "provider_unavailable", "soft"],
    ["rate limited", { type: "StripeRateLimitError", statusCode: 429 }, "provider_unavailable", "soft"],
    ["concurrent idempotent request", { type: "StripeIdempotencyError", statusCode: 409 }, "provider_unavailable", "soft"],
    ["our key rejected (operator's problem)", { type: "StripeAuthenticationError", statusCode: 401 }, "provider_unavailable", "soft"],
    ["detached payment method", { type: "StripeInvalidRequestError", statusCode: 400, code: "resource_missing" }, "resource_missing", "hard"],
  ];
  it.each(cases)("%s", (_name, failure, code, klass) => {
    expect(failureCodeOf(failure)).toBe(code);
    expect(classifyFailure(code)).toBe(klass);
  });
});
