import type { Micros } from "../money/micros.js";
import { assert } from "../errors/assert.js";

/**
 * What one recharge charges: the configured amount, or, when that would not lift the
 * balance to at least the threshold (a deep negative balance), the smallest whole multiple
 * of it that does, capped at the largest multiple the operator's per-charge maximum allows.
 */
export function rechargeAmount(input: {
  balanceMicros: Micros;
  thresholdMicros: Micros;
  amountMicros: Micros;
  maxPerChargeMicros: Micros;
}): Micros {
  const { balanceMicros, thresholdMicros, amountMicros, maxPerChargeMicros } = input;
  assert(amountMicros > 0n, "the recharge amount is positive");
  const shortfall = thresholdMicros - balanceMicros;
  const multiples = shortfall <= amountMicros ? 1n : (shortfall + amountMicros - 1n) / amountMicros;
  const capMultiples = maxPerChargeMicros / amountMicros > 0n ? maxPerChargeMicros / amountMicros : 1n;
  return (multiples < capMultiples ? multiples : capMultiples) * amountMicros;
}
