import type { Config } from "../config/config.js";
import type { Tx } from "../db/database.js";
import { notFound } from "../errors/app-error.js";
import type { Micros } from "../money/micros.js";
import { cost } from "../money/rating.js";
import { admitStarts } from "./call-credit.js";
import { decideRecharge, type PolicyDecision, type PolicyInput } from "./recharge-policy.js";
import { automaticChargeTotals } from "./recharges.js";
import { policyInput } from "./start-recharge.js";
import { loadWalletState, usableCard } from "./wallet-state.js";

export interface Campaign {
  calls: number;
  averageSeconds: number;
  /** Calls running at once: they start together, each taking its hold as a real start does. */
  concurrency: number;
}

/** The account's call rules the campaign meets: the hold per call and the operator's limit. */
export interface CallRules {
  ratePerMinuteMicros: Micros;
  holdSeconds: number;
  /** null: unlimited. */
  maxConcurrentCalls: number | null;
}

export type StoppedBy = "no_auto_recharge" | "failing" | "daily_count" | "monthly_limit";

export interface PreflightResult {
  costMicros: Micros;
  coveredCalls: number;
  rechargesExpected: number;
  rechargeTotalMicros: Micros;
  /** What the calls that could not start would have cost. */
  shortfallMicros: Micros;
  /** Why Auto-Recharge did not keep the campaign going, when it stopped short. */
  stoppedBy: StoppedBy | null;
}

/**
 * A campaign played against the account's own rules, writing nothing (DESIGN §6): calls start
 * in waves of `concurrency` (at most the account's `max_concurrent_calls`), each authorised by
 * the rule real starts meet (`admitStarts`: its hold must fit in the credit the wave's other
 * calls do not hold), each billed `averageSeconds` at `rate`; after each wave the
 * same recharge rule as a real debit (`decideRecharge`) decides whether Auto-Recharge tops the
 * wallet up, counting the daily count and monthly limit as they fill. Recharges are assumed to
 * succeed and land before the next wave (a failing card is `failing`, not charged).
 */
export function preflight(policy: PolicyInput, rules: CallRules, campaign: Campaign): PreflightResult {
  const perCall = cost(campaign.averageSeconds, rules.ratePerMinuteMicros);
  const concurrency = Math.min(campaign.concurrency, rules.maxConcurrentCalls ?? campaign.concurrency);
  let balance = policy.balanceMicros;
  let covered = 0;
  let recharges = 0;
  let rechargeTotal = 0n;
  let last24h = policy.automaticChargesLast24h;
  let month = policy.automaticMonthMicros;
  let blocked: StoppedBy | null = null;
  // Bounded by the campaign's calls (validated at the edge): one pass per wave.
  while (covered < campaign.calls && concurrency > 0) {
    const wave = admitStarts(
      {
        status: policy.paused ? "paused" : "active",
        balanceMicros: balance,
        inFlightMicros: 0n,
        heldMicros: 0n,
        activeCalls: 0,
        maxConcurrentCalls: null,
        ratePerMinuteMicros: rules.ratePerMinuteMicros,
      },
      Math.min(concurrency, campaign.calls - covered),
      rules.holdSeconds,
    ).filter((a) => a.kind === "admitted").length;
    if (wave === 0) break;
    covered += wave;
    balance -= perCall * BigInt(wave);
    const decision = decideRecharge(
      { trigger: "auto" },
      { ...policy, balanceMicros: balance, automaticChargesLast24h: last24h, automaticMonthMicros: month, inFlight: false },
    );
    if (decision.action === "charge") {
      balance += decision.amountMicros;
      recharges += 1;
      rechargeTotal += decision.amountMicros;
      last24h += 1;
      month += decision.amountMicros;
    } else {
      blocked ??= stoppedByOf(decision);
    }
  }
  const uncovered = campaign.calls - covered;
  // Calls stopped with nothing blocked on the way (a paused account, or a threshold under a
  // minute of calls): why Auto-Recharge does not act at the balance where they stopped.
  const why = () =>
    policy.paused ? "failing" : (stoppedByOf(decideRecharge({ trigger: "auto" }, { ...policy, balanceMicros: balance, automaticChargesLast24h: last24h, automaticMonthMicros: month })) ?? "no_auto_recharge");
  return {
    costMicros: perCall * BigInt(campaign.calls),
    coveredCalls: covered,
    rechargesExpected: recharges,
    rechargeTotalMicros: rechargeTotal,
    shortfallMicros: perCall * BigInt(uncovered),
    stoppedBy: uncovered > 0 ? (blocked ?? why()) : null,
  };
}

/** Why a recharge rule's "no" stops a campaign; null when it is no reason to stop (above the threshold). */
function stoppedByOf(decision: PolicyDecision): StoppedBy | null {
  if (decision.action === "limit") return decision.reason;
  if (decision.action === "charge" || decision.reason === "above_threshold" || decision.reason === "in_flight") return null;
  return decision.reason === "disabled" ? "no_auto_recharge" : "failing";
}

/**
 * The account's pre-flight: its wallet, Auto-Recharge and limit totals read now (setup), the
 * campaign played by `preflight` (compute). Writes nothing. A recharge in flight counts as
 * landed, as it does when calls are authorised.
 */
export async function preflightAccount(tx: Tx, config: Config, accountId: string, campaign: Campaign, now: Date): Promise<PreflightResult & { balanceMicros: Micros }> {
  const state = await loadWalletState(tx, config.rates, accountId);
  if (!state) throw notFound("account");
  const totals = await automaticChargeTotals(tx, accountId);
  const policy: PolicyInput = {
    ...policyInput(config, state, usableCard(state, now)),
    balanceMicros: state.balanceMicros + (state.inFlight?.amountMicros ?? 0n),
    inFlight: false,
    automaticChargesLast24h: totals.last24h,
    automaticMonthMicros: totals.monthMicros,
  };
  const rules = { ratePerMinuteMicros: state.ratePerMinuteMicros, holdSeconds: config.calls.holdSeconds, maxConcurrentCalls: state.maxConcurrentCalls };
  return { ...preflight(policy, rules, campaign), balanceMicros: state.balanceMicros };
}
