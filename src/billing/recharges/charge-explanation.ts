import { formatCents, type Micros } from "../../money/micros.js";

/** A balance as a person reads it: cents, a minus sign before the dollar sign. */
const dollars = (micros: Micros) => (micros < 0n ? `−$${formatCents(-micros)}` : `$${formatCents(micros)}`);

/**
 * Why an automatic charge is the amount it is, in a clause a person can follow where the
 * amount is shown (the confirmation before a save, the retry on a new card); null when it is
 * simply the Auto-Recharge Amount the user set. Pure.
 * - fixed mode, a multiple (a deep negative balance): "2 × your Auto-Recharge Amount of
 *   $25.00, the smallest whole multiple that lifts your balance of −$12.30 to the Minimum
 *   Threshold of $10.00".
 * - target mode: what brings the balance to the target (or the minimum or maximum per charge).
 */
export function chargeExplanation(input: {
  mode: "fixed" | "target";
  amountMicros: Micros;
  targetMicros: Micros | null;
  /** What the rule aimed at: the threshold (or, for a retry, a minute of calls when that is more). */
  thresholdMicros: Micros;
  balanceMicros: Micros;
  chargeMicros: Micros;
}): string | null {
  if (input.mode === "target" && input.targetMicros !== null) {
    const gap = input.targetMicros - input.balanceMicros;
    if (gap > 0n && input.chargeMicros > gap + 9_999n) {
      return `the smallest charge allowed, more than the ${dollars(gap)} that brings your balance of ${dollars(input.balanceMicros)} to your Target balance of ${dollars(input.targetMicros)}`;
    }
    if (input.chargeMicros < gap) return `the largest single charge allowed, short of your Target balance of ${dollars(input.targetMicros)}`;
    return `what brings your balance of ${dollars(input.balanceMicros)} to your Target balance of ${dollars(input.targetMicros)}`;
  }
  if (input.chargeMicros === input.amountMicros) return null;
  const multiple = input.chargeMicros / input.amountMicros;
  return (
    `${multiple} × your Auto-Recharge Amount of ${dollars(input.amountMicros)}, the smallest whole multiple that lifts your balance of ` +
    `${dollars(input.balanceMicros)} to at least ${dollars(input.thresholdMicros)}`
  );
}

/** ": <why>" after the amount, or nothing when it needs no explaining. */
export const because = (why: string | null): string => (why ? `: ${why}` : "");
