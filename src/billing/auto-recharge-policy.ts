import type { Micros } from "../money/micros.js";
import { rechargeAmount } from "./recharge-amount.js";

export interface PolicyInput {
  enabled: boolean;
  thresholdMicros: Micros;
  amountMicros: Micros;
  monthlyLimitMicros: Micros | null;
  balanceMicros: Micros;
  /** A recharge of this account is pending or processing. */
  inFlight: boolean;
  /** The card this recharge would charge is the one that failed hard. */
  cardFailing: boolean;
  /** A usable card exists to charge. */
  hasCard: boolean;
  /** Automatic charges of this account created in the last 24 h. */
  automaticChargesLast24h: number;
  /** Sum of automatic charges (not failed) in this calendar month, UTC. */
  automaticMonthMicros: Micros;
  maxAutomaticChargesPer24h: number;
  maxPerChargeMicros: Micros;
}

export type PolicyDecision =
  | { action: "charge"; amountMicros: Micros }
  | { action: "none"; reason: "disabled" | "above_threshold" | "in_flight" | "card_failing" | "no_card" }
  | { action: "limit"; reason: "daily_count" | "monthly_limit"; amountMicros: Micros };

/**
 * Whether an automatic recharge starts now (after a debit, or on a settings save), and for
 * how much. Pure: the caller gathers the facts inside the transaction that would create it.
 */
export function decideAutoRecharge(input: PolicyInput): PolicyDecision {
  if (!input.enabled) return { action: "none", reason: "disabled" };
  if (input.balanceMicros >= input.thresholdMicros) return { action: "none", reason: "above_threshold" };
  if (input.inFlight) return { action: "none", reason: "in_flight" };
  if (!input.hasCard) return { action: "none", reason: "no_card" };
  if (input.cardFailing) return { action: "none", reason: "card_failing" };
  const amountMicros = rechargeAmount(input);
  if (input.automaticChargesLast24h >= input.maxAutomaticChargesPer24h) {
    return { action: "limit", reason: "daily_count", amountMicros };
  }
  // A charge that does not fit under the monthly limit is held back whole, never cut down:
  // the user set the amount and should not be charged a different one.
  if (input.monthlyLimitMicros !== null && input.automaticMonthMicros + amountMicros > input.monthlyLimitMicros) {
    return { action: "limit", reason: "monthly_limit", amountMicros };
  }
  return { action: "charge", amountMicros };
}
