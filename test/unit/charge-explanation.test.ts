import { describe, expect, it } from "vitest";
import { chargeExplanation } from "../../src/billing/recharges/charge-explanation.js";
import { rechargeAmount } from "../../src/billing/recharges/recharge-amount.js";
import { usd } from "../../src/money/micros.js";

// Issue 28, item 1: the amount a confirmation shows says why it is that amount.
describe("why an automatic charge is the amount it is", () => {
  const fixed = { mode: "fixed" as const, amountMicros: usd(25), targetMicros: null, thresholdMicros: usd(10) };
  const amount = (balanceMicros: bigint) =>
    rechargeAmount({ ...fixed, balanceMicros, minPerChargeMicros: usd(5), maxPerChargeMicros: usd(10_000) });

  it("says nothing when it is the Auto-Recharge Amount", () => {
    expect(amount(usd(3))).toBe(usd(25));
    expect(chargeExplanation({ ...fixed, balanceMicros: usd(3), chargeMicros: usd(25) })).toBeNull();
  });

  it("names the multiple, the amount, the balance and the level it lifts it to", () => {
    // $10 − (−$16) = $26 short: one $25 is not enough, two are ($50).
    expect(amount(-usd(16))).toBe(usd(50));
    expect(chargeExplanation({ ...fixed, balanceMicros: -usd(16), chargeMicros: usd(50) })).toBe(
      "2 × your Auto-Recharge Amount of $25.00, the smallest whole multiple that lifts your balance of −$16.00 to at least $10.00",
    );
  });

  it("target mode: what reaches the target, or the smallest or largest charge allowed", () => {
    const target = { mode: "target" as const, amountMicros: usd(50), targetMicros: usd(100), thresholdMicros: usd(10) };
    expect(chargeExplanation({ ...target, balanceMicros: 9_500_000n, chargeMicros: 90_500_000n })).toBe("what brings your balance of $9.50 to your Target balance of $100.00");
    expect(chargeExplanation({ ...target, balanceMicros: usd(98), chargeMicros: usd(5) })).toBe(
      "the smallest charge allowed, more than the $2.00 that brings your balance of $98.00 to your Target balance of $100.00",
    );
  });
});
