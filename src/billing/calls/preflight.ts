import type { Config } from "../../config/config.js";
import type { Tx } from "../../db/database.js";
import { notFound } from "../../errors/app-error.js";
import type { Micros } from "../../money/micros.js";
import { cost } from "../../money/rating.js";
import { admitStarts } from "./call-credit.js";
import { decideRecharge, type PolicyDecision, type PolicyInput } from "../recharges/recharge-policy.js";
import { automaticChargeTotals } from "../recharges/recharges.js";
import { policyInput } from "../recharges/start-recharge.js";
import { loadWalletState, usableCard } from "../status/wallet-state.js";

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
  /** Calls the credit (with the recharges expected) pays for their whole average length. */
  coveredCalls: number;
  rechargesExpected: number;
  rechargeTotalMicros: Micros;
  /** The cost not covered by the balance (less running calls' holds) and the recharges expected; at least 0. */
  shortfallMicros: Micros;
  /** Why Auto-Recharge did not keep the campaign going, when it stopped short. */
  stoppedBy: StoppedBy | null;
}

/** The account's calls running now: their holds are credit the campaign cannot spend, their slots are taken. */
export interface RunningCalls {
  heldMicros: Micros;
  activeCalls: number;
}

export const NO_RUNNING_CALLS: RunningCalls = { heldMicros: 0n, activeCalls: 0 };

/**
 * A campaign played against the account's own rules, writing nothing (docs/concepts.md). The credit
 * it may spend is the balance (with a recharge in flight) less what the running calls hold.
 * Calls start in waves of `concurrency` (at most the account's `max_concurrent_calls`; the
 * first wave also fits in the slots the running calls leave), each authorised by the rule real
 * starts meet (`admitStarts`: its hold must fit in the credit the wave's other calls do not
 * hold). Each started call then costs `averageSeconds` at the rate; a debit that takes the
 * balance under the threshold meets the same recharge rule as a real debit (`decideRecharge`,
 * limits counted as they fill; a recharge is assumed to land before the call's credit runs
 * out). A call is covered when the credit (with those recharges) pays its whole length; the
 * first that is not ends the campaign: a real one would be told `end_call` before its average
 * length. The shortfall is what the calls cost beyond the credit and the recharges expected.
 * Ten calls of 10 minutes at $0.16 on $1.60: all ten start, one is covered, $14.40 short.
 */
export function preflight(policy: PolicyInput, rules: CallRules, campaign: Campaign, running: RunningCalls = NO_RUNNING_CALLS): PreflightResult {
  const perCall = cost(campaign.averageSeconds, rules.ratePerMinuteMicros);
  const concurrency = Math.min(campaign.concurrency, rules.maxConcurrentCalls ?? campaign.concurrency);
  const freeSlots = rules.maxConcurrentCalls === null ? concurrency : rules.maxConcurrentCalls - running.activeCalls;
  const creditMicros = policy.balanceMicros - running.heldMicros;
  let balance = creditMicros;
  let covered = 0;
  let recharges = 0;
  let rechargeTotal = 0n;
  let last24h = policy.automaticChargesLast24h;
  let month = policy.automaticMonthMicros;
  let blocked: StoppedBy | null = null;
  let short = false;
  // Bounded by the campaign's calls (validated at the edge): one pass per wave, one step per call.
  for (let wave = 0; covered < campaign.calls && concurrency > 0 && !short; wave++) {
    // Running calls take slots in the first wave only: by the next, they have had a wave's time to end.
    const size = Math.min(wave === 0 && freeSlots > 0 ? Math.min(concurrency, freeSlots) : concurrency, campaign.calls - covered);
    const admitted = admitStarts(
      {
        status: policy.paused ? "paused" : "active",
        balanceMicros: balance,
        inFlightMicros: 0n,
        heldMicros: 0n,
        activeCalls: 0,
        maxConcurrentCalls: null,
        ratePerMinuteMicros: rules.ratePerMinuteMicros,
      },
      size,
      rules.holdSeconds,
    ).filter((a) => a.kind === "admitted").length;
    if (admitted === 0) break;
    for (let i = 0; i < admitted; i++) {
      balance -= perCall;
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
      if (balance < 0n) {
        short = true;
        break;
      }
      covered += 1;
    }
  }
  const costMicros = perCall * BigInt(campaign.calls);
  const uncovered = campaign.calls - covered;
  // Calls stopped with nothing blocked on the way (a paused account, or a threshold under a
  // minute of calls): why Auto-Recharge does not act at the balance where they stopped.
  const why = () =>
    policy.paused ? "failing" : (stoppedByOf(decideRecharge({ trigger: "auto" }, { ...policy, balanceMicros: balance, automaticChargesLast24h: last24h, automaticMonthMicros: month })) ?? "no_auto_recharge");
  const shortfall = costMicros - (creditMicros + rechargeTotal);
  return {
    costMicros,
    coveredCalls: covered,
    rechargesExpected: recharges,
    rechargeTotalMicros: rechargeTotal,
    shortfallMicros: shortfall > 0n ? shortfall : 0n,
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
 * The account's pre-flight: its wallet, running calls, Auto-Recharge and limit totals read now
 * (setup), the campaign played by `preflight` (compute). Writes nothing. A recharge in flight
 * counts as landed, as it does when calls are authorised.
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
  return { ...preflight(policy, rules, campaign, { heldMicros: state.heldMicros, activeCalls: state.activeCalls }), balanceMicros: state.balanceMicros };
}
