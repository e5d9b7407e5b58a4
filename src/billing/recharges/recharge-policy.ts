import type { Micros } from "../../money/micros.js";
import { rechargeAmount } from "./recharge-amount.js";

/**
 * Why a recharge would start. `auto`: the balance changed (a debit, a settlement);
 * `threshold_sync`: settings were saved; `retry`: a card was added while Auto-Recharge was
 * failing; `manual`: the user asked for `amountMicros` now.
 */
export type RechargeRequest =
  | { trigger: "auto" | "threshold_sync" | "retry" }
  /** `confirmWithinMs`: confirmed by the customer on-session (Stripe), who has that long; null: charged by the worker. */
  | { trigger: "manual"; amountMicros: Micros; confirmWithinMs?: number | null }
  /** The backup card, once, right after an automatic charge of `amountMicros` was declined hard on the primary. */
  | { trigger: "backup"; amountMicros: Micros; backupFor: string };

export interface PolicyInput {
  enabled: boolean;
  thresholdMicros: Micros;
  amountMicros: Micros;
  mode: "fixed" | "target";
  targetMicros: Micros | null;
  monthlyLimitMicros: Micros | null;
  balanceMicros: Micros;
  /** What one minute of calls costs now: a retry lifts the balance at least this far. */
  minuteCostMicros: Micros;
  /** The account is paused (Auto-Recharge failing, balance under a minute). */
  paused: boolean;
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
  minPerChargeMicros: Micros;
  maxPerChargeMicros: Micros;
}

export type PolicyDecision =
  | { action: "charge"; amountMicros: Micros }
  | { action: "none"; reason: "disabled" | "above_threshold" | "in_flight" | "card_failing" | "no_card" }
  | { action: "limit"; reason: "daily_count" | "monthly_limit"; amountMicros: Micros };

/** Whether the limits on automatic charges (every trigger but `manual`) apply. */
export const isAutomatic = (request: RechargeRequest): boolean => request.trigger !== "manual";

/**
 * Whether a recharge starts now, and for how much. Pure: the caller gathers the facts inside
 * the transaction that would create it (the wallet locked).
 * - `manual` charges the amount asked on the card given, failing or not, with no limit: it is
 *   the user's explicit act. Only one charge may be in flight.
 * - The automatic triggers need Auto-Recharge on, a balance below the threshold, nothing in
 *   flight and a usable card that has not failed; they charge the smallest multiple of the
 *   amount that reaches the threshold, or in target mode what reaches the target
 *   (rechargeAmount). A `retry` aims at the threshold or one minute of calls,
 *   whichever is more, and also acts for a paused account, so a card that works unpauses it.
 * - Every automatic charge counts against the daily count and the user's monthly limit, the
 *   retry after a new card included: the monthly limit is the user's own cap.
 * - `backup` charges the declined charge's amount on the backup card, once, under the limits.
 */
export function decideRecharge(request: RechargeRequest, input: PolicyInput): PolicyDecision {
  if (request.trigger === "manual") {
    if (input.inFlight) return { action: "none", reason: "in_flight" };
    if (!input.hasCard) return { action: "none", reason: "no_card" };
    return { action: "charge", amountMicros: request.amountMicros };
  }
  if (!input.enabled) return { action: "none", reason: "disabled" };
  if (request.trigger === "backup") {
    // The same charge on the other card: no threshold to check (the primary's was), the limits
    // count it like any automatic charge.
    if (input.inFlight) return { action: "none", reason: "in_flight" };
    if (!input.hasCard) return { action: "none", reason: "no_card" };
    if (input.cardFailing) return { action: "none", reason: "card_failing" };
    return withinLimits(request.amountMicros, input);
  }
  const retry = request.trigger === "retry";
  const target = retry && input.minuteCostMicros > input.thresholdMicros ? input.minuteCostMicros : input.thresholdMicros;
  if (input.balanceMicros >= target && !(retry && input.paused)) return { action: "none", reason: "above_threshold" };
  if (input.inFlight) return { action: "none", reason: "in_flight" };
  if (!input.hasCard) return { action: "none", reason: "no_card" };
  if (input.cardFailing) return { action: "none", reason: "card_failing" };
  return withinLimits(rechargeAmount({ ...input, thresholdMicros: target }), input);
}

/** An automatic charge of `amountMicros`, or the limit that holds it back. */
function withinLimits(amountMicros: Micros, input: PolicyInput): PolicyDecision {
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
