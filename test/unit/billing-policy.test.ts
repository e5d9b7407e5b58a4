import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideRecharge, type PolicyInput, type RechargeRequest } from "../../src/billing/recharges/recharge-policy.js";
import { rechargeAmount } from "../../src/billing/recharges/recharge-amount.js";
import { HEALTHY_POLICY } from "../support/policy-fixture.js";
import { parseDurationsMs } from "../../src/config/durations.js";
import { usd } from "../../src/money/micros.js";
import { cardBrand, checkCard, luhnValid } from "../../src/payments/card-number.js";
import { classifyFailure, failureAdvice, HARD_DECLINES, SOFT_FAILURES } from "../../src/payments/decline.js";

const MAX = usd(10_000);
const MIN = usd(5);
/** The fixed mode's inputs besides balance, threshold and amount. */
const FIXED = { mode: "fixed" as const, targetMicros: null, minPerChargeMicros: MIN, maxPerChargeMicros: MAX };

describe("rechargeAmount", () => {
  it("charges the configured amount when it lifts the balance to the threshold", () => {
    expect(rechargeAmount({ balanceMicros: 9_840_000n, thresholdMicros: usd(10), amountMicros: usd(50), ...FIXED })).toBe(usd(50));
    expect(rechargeAmount({ balanceMicros: usd(5), thresholdMicros: usd(15), amountMicros: usd(50), ...FIXED })).toBe(usd(50));
  });

  it("charges the smallest multiple that reaches the threshold from a deep negative balance", () => {
    expect(rechargeAmount({ balanceMicros: -usd(120), thresholdMicros: usd(10), amountMicros: usd(50), ...FIXED })).toBe(usd(150));
    expect(rechargeAmount({ balanceMicros: -usd(40), thresholdMicros: usd(10), amountMicros: usd(50), ...FIXED })).toBe(usd(50));
  });

  it("caps at the largest multiple under the per-charge maximum", () => {
    expect(rechargeAmount({ balanceMicros: -usd(1_000_000), thresholdMicros: usd(10), amountMicros: usd(3_000), ...FIXED })).toBe(usd(9_000));
  });

  it("is the smallest multiple that reaches the threshold, unless capped (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -usd(50_000), max: usd(10_000) }),
        fc.bigInt({ min: 0n, max: usd(10_000) }),
        fc.bigInt({ min: usd(5), max: usd(10_000) }),
        (balance, threshold, amount) => {
          const charged = rechargeAmount({ balanceMicros: balance, thresholdMicros: threshold, amountMicros: amount, ...FIXED });
          expect(charged % amount).toBe(0n);
          expect(charged >= amount).toBe(true);
          expect(charged <= MAX || charged === amount).toBe(true);
          if (charged + amount <= MAX) {
            expect(balance + charged >= threshold).toBe(true);
          }
          if (charged > amount) expect(balance + charged - amount < threshold).toBe(true);
        },
      ),
    );
  });
});

describe("rechargeAmount, target mode (\"keep me at $100\")", () => {
  const target = (balanceMicros: bigint, targetMicros = usd(100)) =>
    rechargeAmount({ ...FIXED, mode: "target", targetMicros, balanceMicros, thresholdMicros: usd(10), amountMicros: usd(50) });

  it("charges what lifts the balance to the target, rounded up to the cent", () => {
    expect(target(9_840_000n)).toBe(90_160_000n); // $9.84 → $90.16
    expect(target(9_843_333n)).toBe(90_160_000n); // $90.156667 rounds up: the balance reaches $100.003333
    expect(target(-usd(65))).toBe(usd(165));
  });

  it("is at least the operator's minimum and at most its maximum per charge", () => {
    expect(target(usd(98))).toBe(MIN); // $2.00 is under the $5.00 minimum
    expect(target(-usd(20_000))).toBe(MAX);
  });

  it("reaches the target within a cent, or stops at the maximum, never below the minimum (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -usd(50_000), max: usd(9_999) }), fc.bigInt({ min: usd(10), max: usd(10_000) }), (balance, goal) => {
        fc.pre(balance < goal);
        const charged = target(balance, goal);
        expect(charged % 10_000n).toBe(0n);
        expect(charged >= MIN && charged <= MAX).toBe(true);
        if (charged < MAX) expect(balance + charged >= goal).toBe(true);
        if (charged > MIN) expect(balance + charged - goal < 10_000n).toBe(true);
      }),
    );
  });
});

describe("decideRecharge in target mode", () => {
  it("decides on the threshold as in fixed mode and charges up to the target; limits see that amount", () => {
    const targeted: PolicyInput = { ...base, mode: "target", targetMicros: usd(100) };
    expect(decideRecharge(AUTO, targeted)).toEqual({ action: "charge", amountMicros: 90_160_000n });
    expect(decideRecharge(AUTO, { ...targeted, balanceMicros: usd(10) })).toEqual({ action: "none", reason: "above_threshold" });
    expect(decideRecharge(AUTO, { ...targeted, monthlyLimitMicros: usd(90) })).toEqual({ action: "limit", reason: "monthly_limit", amountMicros: 90_160_000n });
  });
});

/** A wallet just below a $10 threshold with Auto-Recharge healthy: each test changes one thing. */
const AUTO: RechargeRequest = { trigger: "auto" };
const base: PolicyInput = HEALTHY_POLICY;

describe("decideRecharge, automatic (auto and threshold_sync)", () => {

  it("charges when strictly below the threshold", () => {
    expect(decideRecharge(AUTO, base)).toEqual({ action: "charge", amountMicros: usd(50) });
    expect(decideRecharge(AUTO, { ...base, balanceMicros: usd(10) })).toEqual({ action: "none", reason: "above_threshold" });
  });

  it.each([
    [{ enabled: false }, "disabled"],
    [{ inFlight: true }, "in_flight"],
    [{ cardFailing: true }, "card_failing"],
    [{ hasCard: false }, "no_card"],
  ] as const)("does nothing when %j", (patch, reason) => {
    expect(decideRecharge(AUTO, { ...base, ...patch })).toEqual({ action: "none", reason });
  });

  it("holds back at the daily count and at the monthly limit, whole", () => {
    expect(decideRecharge(AUTO, { ...base, automaticChargesLast24h: 20 })).toEqual({ action: "limit", reason: "daily_count", amountMicros: usd(50) });
    expect(decideRecharge(AUTO, { ...base, monthlyLimitMicros: usd(120), automaticMonthMicros: usd(100) })).toEqual({
      action: "limit",
      reason: "monthly_limit",
      amountMicros: usd(50),
    });
    expect(decideRecharge(AUTO, { ...base, monthlyLimitMicros: usd(150), automaticMonthMicros: usd(100) })).toEqual({
      action: "charge",
      amountMicros: usd(50),
    });
  });
});

describe("decideRecharge, the other triggers", () => {
  const RETRY: RechargeRequest = { trigger: "retry" };
  const MANUAL: RechargeRequest = { trigger: "manual", amountMicros: usd(25) };

  it("decides a settings save (threshold_sync) exactly as a debit (auto)", () => {
    fc.assert(
      fc.property(
        fc.record({
          enabled: fc.boolean(),
          balanceMicros: fc.bigInt({ min: -usd(100), max: usd(100) }),
          inFlight: fc.boolean(),
          hasCard: fc.boolean(),
          cardFailing: fc.boolean(),
          automaticChargesLast24h: fc.integer({ min: 0, max: 25 }),
          automaticMonthMicros: fc.bigInt({ min: 0n, max: usd(500) }),
        }),
        (patch) => {
          const input = { ...base, ...patch, monthlyLimitMicros: usd(300) };
          expect(decideRecharge({ trigger: "threshold_sync" }, input)).toEqual(decideRecharge(AUTO, input));
        },
      ),
    );
  });

  it("retries after a new card up to the threshold or a minute of calls, whichever is more, paused or not", () => {
    expect(decideRecharge(RETRY, base)).toEqual({ action: "charge", amountMicros: usd(50) });
    // Above the threshold but under a minute (a threshold below one minute's cost): charges.
    const lowThreshold = { ...base, thresholdMicros: 100_000n, balanceMicros: 150_000n };
    expect(decideRecharge(AUTO, lowThreshold)).toEqual({ action: "none", reason: "above_threshold" });
    expect(decideRecharge(RETRY, lowThreshold)).toEqual({ action: "charge", amountMicros: usd(50) });
    // Above both, active: nothing to do; paused: charged, so the card that works unpauses it.
    expect(decideRecharge(RETRY, { ...base, balanceMicros: usd(20) })).toEqual({ action: "none", reason: "above_threshold" });
    expect(decideRecharge(RETRY, { ...base, balanceMicros: usd(20), paused: true })).toEqual({ action: "charge", amountMicros: usd(50) });
    expect(decideRecharge(RETRY, { ...base, enabled: false })).toEqual({ action: "none", reason: "disabled" });
    expect(decideRecharge(RETRY, { ...base, inFlight: true })).toEqual({ action: "none", reason: "in_flight" });
  });

  it("holds a retry after a new card back at the daily count and the monthly limit, as every automatic charge", () => {
    expect(decideRecharge(RETRY, { ...base, automaticChargesLast24h: 20 })).toEqual({ action: "limit", reason: "daily_count", amountMicros: usd(50) });
    expect(decideRecharge(RETRY, { ...base, monthlyLimitMicros: usd(120), automaticMonthMicros: usd(100) })).toEqual({
      action: "limit",
      reason: "monthly_limit",
      amountMicros: usd(50),
    });
  });

  it("charges a manual top-up as asked, whatever Auto-Recharge says, one charge at a time", () => {
    const anyState = { ...base, enabled: false, balanceMicros: usd(500), cardFailing: true, automaticChargesLast24h: 99, monthlyLimitMicros: usd(1) };
    expect(decideRecharge(MANUAL, anyState)).toEqual({ action: "charge", amountMicros: usd(25) });
    expect(decideRecharge(MANUAL, { ...anyState, inFlight: true })).toEqual({ action: "none", reason: "in_flight" });
    expect(decideRecharge(MANUAL, { ...anyState, hasCard: false })).toEqual({ action: "none", reason: "no_card" });
  });
});

describe("decline classification", () => {
  it("treats every hard decline as hard and every soft failure as soft", () => {
    for (const code of HARD_DECLINES) expect(classifyFailure(code)).toBe("hard");
    for (const code of SOFT_FAILURES) expect(classifyFailure(code)).toBe("soft");
    expect(classifyFailure("something_new")).toBe("hard");
  });

  it("gives every code a message and a next step", () => {
    for (const code of [...HARD_DECLINES, ...SOFT_FAILURES, "x"]) {
      const advice = failureAdvice(code);
      expect(advice.message.length).toBeGreaterThan(10);
      expect(advice.nextStep.length).toBeGreaterThan(10);
    }
  });
});

describe("cards", () => {
  const now = new Date("2026-11-24T00:00:00Z");
  it("checks Luhn, expiry and CVC", () => {
    expect(luhnValid("4242424242424242")).toBe(true);
    expect(luhnValid("4242424242424241")).toBe(false);
    expect(checkCard({ number: "4000000000000002", expMonth: 12, expYear: 2030, cvc: "123" }, now)).toBeUndefined();
    expect(checkCard({ number: "4242424242424241", expMonth: 12, expYear: 2030, cvc: "123" }, now)).toBe("number");
    expect(checkCard({ number: "4242424242424242", expMonth: 10, expYear: 2026, cvc: "123" }, now)).toBe("expiry");
    expect(checkCard({ number: "4242424242424242", expMonth: 11, expYear: 2026, cvc: "123" }, now)).toBeUndefined();
    expect(checkCard({ number: "4242424242424242", expMonth: 13, expYear: 2030, cvc: "123" }, now)).toBe("expiry");
    expect(checkCard({ number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "" }, now)).toBe("cvc");
  });

  it("names brands", () => {
    expect(cardBrand("4242424242424242")).toBe("visa");
    expect(cardBrand("5555555555554444")).toBe("mastercard");
    expect(cardBrand("378282246310005")).toBe("amex");
  });
});

describe("durations", () => {
  it("parses the retry schedule", () => {
    expect(parseDurationsMs("1m,5m,30m,2h")).toEqual([60_000, 300_000, 1_800_000, 7_200_000]);
    expect(parseDurationsMs("200ms, 1s")).toEqual([200, 1_000]);
    expect(() => parseDurationsMs("5 minutes")).toThrow();
  });
});

describe("mayNeedRules (the usage writer's shortcut)", () => {
  it("is true whenever a rule would act: a recharge, a limit, a low-balance notice, a pause, or end_call", async () => {
    const { mayNeedRules } = await import("../../src/billing/usage/usage-writer.js");
    const { desiredStatus } = await import("../../src/billing/status/account-status.js");
    fc.assert(
      fc.property(
        fc.bigInt({ min: -usd(100), max: usd(200) }),
        fc.bigInt({ min: 0n, max: usd(100) }),
        fc.bigInt({ min: 0n, max: usd(50) }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(160_000n, 180_000n),
        (after, debit, threshold, enabled, failing, minuteCost) => {
          const before = after + debit;
          const decision = decideRecharge(AUTO, { ...base, enabled, thresholdMicros: threshold, balanceMicros: after });
          const crossed = before >= threshold && after < threshold;
          const paused = desiredStatus({ settings: { failing } as never, balanceMicros: after, minuteCostMicros: minuteCost }) === "paused";
          const acts = decision.action !== "none" || crossed || paused || after <= 0n;
          if (acts) expect(mayNeedRules({ before, after, thresholdMicros: threshold, enabled, failing, minuteCostMicros: minuteCost, alertLevels: [] })).toBe(true);
          // A wallet priced by a plan or an agency: its rate was not read, and the shortcut still misses nothing.
          if (acts) expect(mayNeedRules({ before, after, thresholdMicros: threshold, enabled, failing, minuteCostMicros: null, alertLevels: [] })).toBe(true);
        },
      ),
    );
  });

  it("with the rate not read (a plan or an agency prices the account), a level in minutes or a failing card answers yes; a level in dollars is still judged", async () => {
    const { mayNeedRules } = await import("../../src/billing/usage/usage-writer.js");
    const quiet = { before: usd(50), after: usd(49), thresholdMicros: usd(10), enabled: true, failing: false, minuteCostMicros: null };
    expect(mayNeedRules({ ...quiet, alertLevels: [] })).toBe(false);
    expect(mayNeedRules({ ...quiet, alertLevels: [{ below: usd(20) }] })).toBe(false);
    expect(mayNeedRules({ ...quiet, alertLevels: [{ below: usd(49) + 500_000n }] })).toBe(true);
    expect(mayNeedRules({ ...quiet, alertLevels: [{ belowMinutes: 30 }] })).toBe(true);
    expect(mayNeedRules({ ...quiet, failing: true, alertLevels: [] })).toBe(true);
  });
});

describe("balance alert crossings", () => {
  it("are told once per downward crossing and once per upward one; a minutes level moves with the rate", async () => {
    const { alertCrossings } = await import("../../src/billing/status/balance-alerts.js");
    const at = (balanceMicros: bigint, ratePerMinuteMicros = 180_000n) => ({ balanceMicros, ratePerMinuteMicros });
    const levels = [{ below: usd(20) }, { belowMinutes: 30 }]; // $20 and $5.40 at $0.18/min
    expect(alertCrossings(levels, at(usd(30)), at(19_800_000n)).map((c) => c.direction)).toEqual(["down"]);
    expect(alertCrossings(levels, at(19_800_000n), at(usd(12)))).toEqual([]);
    expect(alertCrossings(levels, at(usd(12)), at(5_400_000n))).toEqual([]); // at the level is not below it
    expect(alertCrossings(levels, at(usd(6)), at(5_100_000n)).map((c) => [c.direction, c.levelMicros])).toEqual([["down", 5_400_000n]]);
    expect(alertCrossings(levels, at(4_800_000n), at(usd(55))).map((c) => c.direction)).toEqual(["up", "up"]);
    // The same $5.00 under the widget's $0.16 (level $4.80) and then $0.18 (level $5.40): crossed by the switch.
    expect(alertCrossings(levels, at(usd(5), 160_000n), at(usd(5), 180_000n)).map((c) => [c.direction, c.levelMicros])).toEqual([["down", 5_400_000n]]);
  });

  it("alternate: between two crossings of a level in the same direction there is one in the other (property)", async () => {
    const { alertCrossings } = await import("../../src/billing/status/balance-alerts.js");
    const level = [{ below: usd(20) }];
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -usd(50), max: usd(50) }), { minLength: 2, maxLength: 40 }), (balances) => {
        const directions = balances.slice(1).flatMap((after, i) =>
          alertCrossings(level, { balanceMicros: balances[i]!, ratePerMinuteMicros: 180_000n }, { balanceMicros: after, ratePerMinuteMicros: 180_000n }).map((c) => c.direction),
        );
        for (let i = 1; i < directions.length; i++) expect(directions[i]).not.toBe(directions[i - 1]);
      }),
    );
  });

  it("never escape the usage writer's shortcut (property)", async () => {
    const { mayNeedRules } = await import("../../src/billing/usage/usage-writer.js");
    const { alertCrossings } = await import("../../src/billing/status/balance-alerts.js");
    fc.assert(
      fc.property(fc.bigInt({ min: -usd(10), max: usd(100) }), fc.bigInt({ min: 0n, max: usd(50) }), fc.bigInt({ min: usd(1), max: usd(80) }), (after, debitMicros, levelMicros) => {
        const levels = [{ below: levelMicros }, { belowMinutes: 60 }];
        const before = after + debitMicros;
        const rate = { ratePerMinuteMicros: 180_000n };
        const crossed = alertCrossings(levels, { balanceMicros: before, ...rate }, { balanceMicros: after, ...rate }).length > 0;
        const shortcut = mayNeedRules({ before, after, thresholdMicros: 0n, enabled: false, failing: false, minuteCostMicros: 180_000n, alertLevels: levels });
        if (crossed) expect(shortcut).toBe(true);
      }),
    );
  });
});
