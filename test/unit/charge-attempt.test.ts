import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planAfterCharge, planBeforeCharge, type AttemptFacts } from "../../src/billing/recharges/charge-attempt.js";
import type { ChargeOutcome } from "../../src/payments/gateway.js";
import { HARD_DECLINES, SOFT_FAILURES } from "../../src/payments/decline.js";

const facts = fc.record({
  attempt: fc.integer({ min: 1, max: 50 }),
  softFailures: fc.integer({ min: 0, max: 10 }),
  maxRetries: fc.integer({ min: 0, max: 6 }),
  cardRemoved: fc.boolean(),
}) as fc.Arbitrary<AttemptFacts>;
const code = fc.constantFrom(...HARD_DECLINES, ...SOFT_FAILURES);
const outcome: fc.Arbitrary<ChargeOutcome> = fc.oneof(
  fc.constant({ status: "succeeded", chargeId: "ch_1" } as const),
  code.map((c) => ({ status: "failed", code: c, message: c }) as const),
  code.map((c) => ({ status: "unknown", code: c, message: c }) as const),
);

describe("a charge attempt's plan (pure)", () => {
  it("never settles an unknown outcome, before or after charging", () => {
    fc.assert(
      fc.property(facts, code, (f, c) => {
        const unknown = { status: "unknown", code: c, message: c } as const;
        expect(planBeforeCharge(f, unknown).step).toBe("ask_later");
        expect(planAfterCharge(f, unknown).step).toBe("ask_later");
      }),
    );
  });

  it("settles what the provider says: a success once, a hard decline at once", () => {
    fc.assert(
      fc.property(facts, outcome, (f, o) => {
        const before = planBeforeCharge(f, o);
        if (o.status === "succeeded") expect(before).toEqual({ step: "settle_succeeded", chargeId: "ch_1" });
        if (o.status === "failed" && (HARD_DECLINES as readonly string[]).includes(o.code)) expect(before.step).toBe("settle_failed");
      }),
    );
  });

  it("charges only when nothing was charged, never a removed card", () => {
    fc.assert(
      fc.property(facts, fc.option(outcome, { nil: undefined }), (f, o) => {
        const step = planBeforeCharge(f, o ?? undefined).step;
        if (step === "charge") {
          expect(f.cardRemoved).toBe(false);
          expect(o === undefined || (o.status === "failed" && (SOFT_FAILURES as readonly string[]).includes(o.code))).toBe(true);
        }
        if (f.cardRemoved && (o === undefined || o.status === "failed")) expect(["settle_failed"]).toContain(step);
      }),
    );
  });

  it("retries a reported soft failure until the retries are used up, then it is final", () => {
    fc.assert(
      fc.property(facts, fc.constantFrom(...SOFT_FAILURES), (f, c) => {
        const step = planAfterCharge(f, { status: "failed", code: c, message: c }).step;
        expect(step).toBe(f.softFailures < f.maxRetries ? "retry_later" : "settle_failed");
      }),
    );
  });

  it("is unresolved once the claims pass the tries", () => {
    const unknown = { status: "unknown", code: "timeout", message: "no answer" } as const;
    expect(planAfterCharge({ attempt: 2, softFailures: 0, maxRetries: 1, cardRemoved: false }, unknown)).toMatchObject({ unresolved: true });
    expect(planAfterCharge({ attempt: 1, softFailures: 0, maxRetries: 1, cardRemoved: false }, unknown)).toMatchObject({ unresolved: false });
  });
});
