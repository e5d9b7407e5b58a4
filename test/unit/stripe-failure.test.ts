import { describe, expect, it } from "vitest";
import { AppError } from "../../src/errors/app-error.js";
import { classifyFailure } from "../../src/payments/decline.js";
import { translateStripeEvent } from "../../src/payments/stripe/stripe-events.js";
import { failureCodeOf } from "../../src/payments/stripe/stripe-failure.js";

describe("Stripe failures mapped to docs/concepts.md's classes", () => {
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

describe("translateStripeEvent", () => {
  const intent = (extra: object) => ({ id: "pi_1", amount: 5000, currency: "usd", customer: "cus_1", metadata: { recharge_id: "rch_1" }, ...extra });
  it("says what a recharge's PaymentIntent did, in our words", () => {
    expect(translateStripeEvent({ id: "evt_1", type: "payment_intent.succeeded", data: { object: intent({}) } })).toEqual({
      id: "evt_1",
      type: "payment_intent.succeeded",
      kind: "charge_succeeded",
      rechargeId: "rch_1",
      chargeId: "pi_1",
      amountMicros: 50_000_000n,
      customerId: "cus_1",
    });
    // An expanded customer reads as its id.
    expect(translateStripeEvent({ id: "evt_1", type: "payment_intent.succeeded", data: { object: intent({ customer: { id: "cus_1", object: "customer" } }) } })).toMatchObject({ customerId: "cus_1" });
    const failed = { id: "evt_2", type: "payment_intent.payment_failed", data: { object: intent({ last_payment_error: { code: "card_declined", decline_code: "insufficient_funds", message: "no" } }) } };
    expect(translateStripeEvent(failed)).toMatchObject({ kind: "charge_failed", rechargeId: "rch_1", code: "insufficient_funds", message: "no" });
  });

  it("reads a charge's succeeded refunds, ours (named in metadata) or made in the dashboard", () => {
    const refunds = [
      { id: "re_1", amount: 2000, status: "succeeded", metadata: { refund_id: "rfd_1" } },
      { id: "re_2", amount: 500, status: "succeeded", metadata: {} },
      { id: "re_3", amount: 700, status: "pending", metadata: {} },
    ];
    expect(translateStripeEvent({ id: "e", type: "charge.refunded", data: { object: { id: "ch_1", payment_intent: "pi_1", refunds: { data: refunds } } } })).toEqual({
      id: "e",
      type: "charge.refunded",
      kind: "charge_refunded",
      chargeId: "pi_1",
      refunds: [
        { refundId: "re_1", amountMicros: 20_000_000n, ourRefundId: "rfd_1" },
        { refundId: "re_2", amountMicros: 5_000_000n, ourRefundId: null },
      ],
    });
    expect(translateStripeEvent({ id: "e", type: "refund.updated", data: { object: { ...refunds[1], payment_intent: "pi_1" } } })).toMatchObject({
      kind: "charge_refunded",
      refunds: [{ refundId: "re_2", amountMicros: 5_000_000n, ourRefundId: null }],
    });
    expect(translateStripeEvent({ id: "e", type: "charge.refunded", data: { object: { id: "ch_2" } } })).toMatchObject({ kind: "ignored" });
  });

  it("reads a dispute opened on a charge and how it closed", () => {
    const dispute = { id: "dp_1", amount: 5000, payment_intent: "pi_1", status: "needs_response" };
    expect(translateStripeEvent({ id: "e", type: "charge.dispute.created", data: { object: dispute } })).toMatchObject({
      kind: "dispute_opened",
      chargeId: "pi_1",
      disputeId: "dp_1",
      amountMicros: 50_000_000n,
    });
    expect(translateStripeEvent({ id: "e", type: "charge.dispute.closed", data: { object: { ...dispute, status: "won" } } })).toMatchObject({ kind: "dispute_closed", disputeId: "dp_1", outcome: "won" });
    expect(translateStripeEvent({ id: "e", type: "charge.dispute.closed", data: { object: { ...dispute, status: "lost" } } })).toMatchObject({ kind: "dispute_closed", outcome: "lost" });
    expect(translateStripeEvent({ id: "e", type: "charge.dispute.closed", data: { object: { ...dispute, status: "warning_closed" } } })).toMatchObject({ kind: "ignored" });
  });

  it("ignores other types and intents no recharge made", () => {
    expect(translateStripeEvent({ id: "e", type: "charge.captured", data: { object: intent({}) } })).toMatchObject({ kind: "ignored", reason: "not a type we act on" });
    expect(translateStripeEvent({ id: "e", type: "payment_intent.succeeded", data: { object: intent({ id: "pi_2", metadata: {} }) } })).toMatchObject({
      kind: "ignored",
      reason: "not a prepaid recharge",
    });
    expect(translateStripeEvent({ id: "e", type: "payment_intent.succeeded", data: { object: intent({ currency: "eur" }) } })).toMatchObject({ kind: "ignored" });
  });

  // Issue 27, item 8: a body that verifies but is not an event is a 400 that says what is wrong
  // (an AppError invalid_request at the edge), never an exception that answers 500.
  it("refuses what is not an event, naming the field", () => {
    const refusal = (input: unknown) => {
      try {
        translateStripeEvent(input);
      } catch (error) {
        return error instanceof AppError ? `${error.code}: ${error.message}` : `not an AppError: ${String(error)}`;
      }
      return "accepted";
    };
    expect(refusal([])).toBe("invalid_request: not a Stripe event: (the whole body): Invalid input: expected object, received array");
    expect(refusal(null)).toMatch(/^invalid_request: not a Stripe event: \(the whole body\)/);
    expect(refusal("evt")).toMatch(/^invalid_request: not a Stripe event/);
    expect(refusal({})).toMatch(/^invalid_request: not a Stripe event: id:/);
    expect(refusal({ id: "evt_1", type: "payment_intent.succeeded" })).toMatch(/^invalid_request: not a Stripe event: data:/);
    expect(refusal({ id: "evt_1", type: "payment_intent.succeeded", data: {} })).toMatch(/data\.object/);
    expect(refusal({ id: "evt_1", type: "charge.dispute.created", data: { object: { id: "dp_1", status: "needs_response" } } })).toBe(
      "invalid_request: charge.dispute.created event's data.object: amount: Invalid input: expected number, received undefined",
    );
    expect(refusal({ id: "evt_1", type: "charge.refunded", data: { object: { id: "ch_1", payment_intent: "pi_1", refunds: { data: [{ id: "re_1", amount: -5 }] } } } })).toMatch(/refunds\.data\.0\.amount/);
    expect(refusal({ id: "evt_1", type: "payment_intent.succeeded", data: { object: intent({ amount: 12.5 }) } })).toMatch(/amount/);
  });
});
