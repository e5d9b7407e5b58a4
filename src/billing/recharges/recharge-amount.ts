import { MICROS_PER_CENT, type Micros } from "../../money/micros.js";
import { assert } from "../../errors/assert.js";

export interface RechargeAmountInput {
  balanceMicros: Micros;
  thresholdMicros: Micros;
  amountMicros: Micros;
  /** `target`: charge what lifts the balance to `targetMicros`; `fixed`: charge `amountMicros`. */
  mode: "fixed" | "target";
  targetMicros: Micros | null;
  minPerChargeMicros: Micros;
  maxPerChargeMicros: Micros;
}

/**
 * What one automatic recharge charges.
 * - Fixed: the configured amount, or, when that would not lift the balance to at least the
 *   threshold (a deep negative balance), the smallest whole multiple of it that does, capped
 *   at the largest multiple the operator's per-charge maximum allows.
 * - Target: `target − balance`, rounded up to the cent (a card is charged whole cents, and the
 *   balance must reach the target, not fall short of it by a fraction), at least the
 *   operator's minimum per charge and at most the maximum (docs/concepts.md).
 */
export function rechargeAmount(input: RechargeAmountInput): Micros {
  const { balanceMicros, thresholdMicros, amountMicros, maxPerChargeMicros } = input;
  if (input.mode === "target") {
    assert(input.targetMicros !== null, "target mode has a target");
    const gap = input.targetMicros - balanceMicros;
    const cents = gap <= 0n ? 0n : ((gap + MICROS_PER_CENT - 1n) / MICROS_PER_CENT) * MICROS_PER_CENT;
    const atLeast = cents < input.minPerChargeMicros ? input.minPerChargeMicros : cents;
    return atLeast > maxPerChargeMicros ? maxPerChargeMicros : atLeast;
  }
  assert(amountMicros > 0n, "the recharge amount is positive");
  const shortfall = thresholdMicros - balanceMicros;
  const multiples = shortfall <= amountMicros ? 1n : (shortfall + amountMicros - 1n) / amountMicros;
  const capMultiples = maxPerChargeMicros / amountMicros > 0n ? maxPerChargeMicros / amountMicros : 1n;
  return (multiples < capMultiples ? multiples : capMultiples) * amountMicros;
}
