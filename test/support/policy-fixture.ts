import type { PolicyInput } from "../../src/billing/recharges/recharge-policy.js";
import { usd } from "../../src/money/micros.js";

/**
 * A wallet just below a $10 threshold with Auto-Recharge healthy ($50 fixed, $0.18/min, no
 * limit reached, operator bounds $5–$10,000): the recharge rule's tests change one thing each.
 */
export const HEALTHY_POLICY: PolicyInput = {
  enabled: true,
  thresholdMicros: usd(10),
  amountMicros: usd(50),
  mode: "fixed",
  targetMicros: null,
  monthlyLimitMicros: null,
  balanceMicros: 9_840_000n,
  minuteCostMicros: 180_000n,
  paused: false,
  inFlight: false,
  cardFailing: false,
  hasCard: true,
  automaticChargesLast24h: 0,
  automaticMonthMicros: 0n,
  maxAutomaticChargesPer24h: 20,
  minPerChargeMicros: usd(5),
  maxPerChargeMicros: usd(10_000),
};
