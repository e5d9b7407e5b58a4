import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { consentSentence, type ConsentTerms } from "../../src/billing/recharges/consent-sentence.js";
import { needsConsent, type ConsentedSettings } from "../../src/billing/recharges/consent.js";
import { planAfterCancel, planOnSession } from "../../src/billing/recharges/on-session.js";
import { decideRecharge } from "../../src/billing/recharges/recharge-policy.js";
import { usd } from "../../src/money/micros.js";
import { classifyFailure, failureAdvice, marksCardFailing } from "../../src/payments/decline.js";
import type { OnSessionPayment } from "../../src/payments/gateway.js";
import { failureCodeOf } from "../../src/payments/stripe/stripe-failure.js";
import { HEALTHY_POLICY } from "../support/policy-fixture.js";

const TERMS: ConsentTerms = {
  displayName: "Acme Voice",
  card: "Visa •••• 4242",
  mode: "fixed",
  amount: "25.00",
  target: null,
  threshold: "10.00",
  monthlyLimit: "200.00",
  backupCard: null,
};

describe("the consent sentence", () => {
  it("names who charges, the card, the amount, when and the monthly cap, as the design words it", () => {
    expect(consentSentence(TERMS)).toBe("I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00, at most $200.00 a month.");
  });
  it("without a limit, in target mode, and with a backup card", () => {
    expect(consentSentence({ ...TERMS, monthlyLimit: null })).toBe("I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00.");
    expect(consentSentence({ ...TERMS, mode: "target", target: "60.00", monthlyLimit: null })).toBe(
      "I authorise Acme Voice to charge Visa •••• 4242 what brings my balance back to $60.00 whenever my balance falls below $10.00.",
    );
    expect(consentSentence({ ...TERMS, backupCard: "Mastercard •••• 4444" })).toBe(
      "I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00, at most $200.00 a month, and Mastercard •••• 4444 once if that card is declined.",
    );
  });
});

const ON: ConsentedSettings = {
  enabled: true,
  thresholdMicros: usd(10),
  amountMicros: usd(25),
  mode: "fixed",
  targetMicros: null,
  monthlyLimitMicros: usd(200),
  cardId: "pm_a",
  backupCardId: null,
};

describe("needsConsent", () => {
  it("turning on needs it; turning off or saving it off never does", () => {
    expect(needsConsent({ ...ON, enabled: false }, ON)).toBe(true);
    expect(needsConsent(ON, { ...ON, enabled: false })).toBe(false);
    expect(needsConsent({ ...ON, enabled: false }, { ...ON, enabled: false, thresholdMicros: usd(20) })).toBe(false);
  });
  it("while on, each of card, backup card, amount, mode, target, threshold and monthly limit needs it; nothing changed needs none (property)", () => {
    const change = fc.constantFrom<Partial<ConsentedSettings>>(
      { cardId: "pm_b" },
      { backupCardId: "pm_c" },
      { amountMicros: usd(30) },
      { mode: "target", targetMicros: usd(60) },
      { thresholdMicros: usd(15) },
      { monthlyLimitMicros: null },
    );
    fc.assert(
      fc.property(change, (patch) => {
        expect(needsConsent(ON, { ...ON, ...patch })).toBe(true);
      }),
    );
    expect(needsConsent(ON, { ...ON })).toBe(false);
  });
});

const payment = fc.oneof(
  fc.constant<OnSessionPayment>({ state: "succeeded", chargeId: "pi_1" }),
  fc.constant<OnSessionPayment>({ state: "awaiting_customer" }),
  fc.constant<OnSessionPayment>({ state: "failed", code: "authentication_failed", message: "x" }),
  fc.constant<OnSessionPayment>({ state: "canceled" }),
  fc.constant<OnSessionPayment>({ state: "unknown", code: "timeout", message: "x" }),
  fc.constant(undefined),
);

describe("an on-session top-up's plan", () => {
  it("settles a success, cancels a failed confirmation, waits for the customer until confirm_by, then cancels; never fails an unknown", () => {
    expect(planOnSession({ state: "succeeded", chargeId: "pi_1" }, false)).toEqual({ step: "settle_succeeded", chargeId: "pi_1" });
    expect(planOnSession({ state: "failed", code: "authentication_failed", message: "m" }, false)).toEqual({ step: "cancel", code: "authentication_failed", message: "m" });
    expect(planOnSession({ state: "awaiting_customer" }, false)).toEqual({ step: "wait" });
    expect(planOnSession({ state: "awaiting_customer" }, true)).toMatchObject({ step: "cancel", code: "payment_not_confirmed" });
    expect(planOnSession(undefined, false)).toEqual({ step: "wait" });
    expect(planOnSession(undefined, true)).toMatchObject({ step: "settle_failed", code: "payment_not_confirmed" });
    expect(planOnSession({ state: "unknown", code: "timeout", message: "m" }, true)).toEqual({ step: "ask_later", code: "timeout", message: "m" });
  });

  it("before confirm_by nothing the customer could still confirm is cancelled; a succeeded payment is never failed (property)", () => {
    fc.assert(
      fc.property(payment, fc.boolean(), (found, past) => {
        const step = planOnSession(found, past);
        if (found?.state === "succeeded") expect(step.step).toBe("settle_succeeded");
        if (found?.state === "unknown") expect(step.step).toBe("ask_later");
        if (!past && found?.state === "awaiting_customer") expect(step.step).toBe("wait");
        if (step.step === "settle_failed") expect(found === undefined || found.state === "canceled").toBe(true);
      }),
    );
  });

  it("after a cancel: cancelled fails it with the reason, a success that came first is settled, anything else is asked again (property)", () => {
    const reason = { code: "payment_not_confirmed", message: "m" };
    fc.assert(
      fc.property(payment, (after) => {
        const step = planAfterCancel(after, reason);
        if (after === undefined || after.state === "canceled") expect(step).toEqual({ step: "settle_failed", ...reason });
        else if (after.state === "succeeded") expect(step).toEqual({ step: "settle_succeeded", chargeId: "pi_1" });
        else expect(step.step).toBe("ask_later");
      }),
    );
  });
});

describe("failures of a challenge", () => {
  it("Stripe's authentication failures are ours `authentication_failed`: hard, nothing charged, said so", () => {
    expect(failureCodeOf({ type: "invalid_request_error", code: "payment_intent_authentication_failure" })).toBe("authentication_failed");
    expect(failureCodeOf({ type: "card_error", code: "setup_intent_authentication_failure" })).toBe("authentication_failed");
    for (const code of ["authentication_failed", "payment_not_confirmed"]) {
      expect(classifyFailure(code)).toBe("hard");
      expect(marksCardFailing(code)).toBe(false);
      expect(failureAdvice(code).message).toContain("nothing was charged");
    }
  });
});

describe("the backup card's charge", () => {
  const backup = { trigger: "backup" as const, amountMicros: usd(50), backupFor: "rch_1" };
  it("charges the declined amount once, whatever the balance, when nothing is in flight and the card is usable", () => {
    expect(decideRecharge(backup, { ...HEALTHY_POLICY, balanceMicros: usd(500) })).toEqual({ action: "charge", amountMicros: usd(50) });
    expect(decideRecharge(backup, { ...HEALTHY_POLICY, inFlight: true })).toEqual({ action: "none", reason: "in_flight" });
    expect(decideRecharge(backup, { ...HEALTHY_POLICY, cardFailing: true })).toEqual({ action: "none", reason: "card_failing" });
    expect(decideRecharge(backup, { ...HEALTHY_POLICY, enabled: false })).toEqual({ action: "none", reason: "disabled" });
  });
  it("is held by the daily count and the monthly limit like any automatic charge", () => {
    expect(decideRecharge(backup, { ...HEALTHY_POLICY, automaticChargesLast24h: 20 })).toEqual({ action: "limit", reason: "daily_count", amountMicros: usd(50) });
    expect(decideRecharge(backup, { ...HEALTHY_POLICY, monthlyLimitMicros: usd(80), automaticMonthMicros: usd(40) })).toEqual({
      action: "limit",
      reason: "monthly_limit",
      amountMicros: usd(50),
    });
  });
});
