import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import type { Tx } from "../../db/database.js";
import { logMoneyEvent } from "../../logging/money-events.js";
import { formatMicros } from "../../money/micros.js";
import { notify } from "../../notifications/notify.js";
import { decideRecharge, isAutomatic, type PolicyDecision, type PolicyInput, type RechargeRequest } from "./recharge-policy.js";
import { automaticChargeTotals, insertRecharge, type Recharge } from "./recharges.js";
import { usableCard, type CardRef, type WalletState } from "../status/wallet-state.js";

/**
 * The decision for `request` on `state`, charging `card` (by default the card Auto-Recharge
 * uses: its chosen one, else the default, if not expired). The limit totals are read only
 * when the rest says charge. Writes nothing (a settings preview shows it as it is).
 */
export async function decide(
  tx: Tx,
  config: Config,
  state: WalletState,
  request: RechargeRequest,
  now: Date,
  card: CardRef | null = usableCard(state, now),
): Promise<{ decision: PolicyDecision; card: CardRef | null }> {
  const input = policyInput(config, state, card);
  const first = decideRecharge(request, input);
  if (first.action !== "charge" || !isAutomatic(request)) return { decision: first, card };
  const totals = await automaticChargeTotals(tx, state.accountId);
  return { decision: decideRecharge(request, { ...input, automaticChargesLast24h: totals.last24h, automaticMonthMicros: totals.monthMicros }), card };
}

/** The recharge rule's facts for a wallet and the card it would charge (limit totals left at zero: the caller reads them when needed). */
export function policyInput(config: Config, state: WalletState, card: CardRef | null): PolicyInput {
  return {
    ...state.settings,
    balanceMicros: state.balanceMicros,
    minuteCostMicros: state.minuteCostMicros,
    paused: state.status === "paused",
    inFlight: state.inFlight !== null,
    hasCard: card !== null,
    cardFailing: card !== null && ((state.settings.failing && card.id === state.settings.failingPaymentMethodId) || state.disputedCardIds.includes(card.id)),
    automaticChargesLast24h: 0,
    automaticMonthMicros: 0n,
    maxAutomaticChargesPer24h: config.limits.maxAutomaticChargesPer24h,
    minPerChargeMicros: config.limits.amountMinMicros,
    maxPerChargeMicros: config.limits.amountMaxMicros,
  };
}

/**
 * The one way a recharge starts, for every trigger, in the caller's transaction (which holds
 * the wallet lock): decide, then create the pending recharge the worker will charge. An
 * automatic charge held back by a limit is recorded and notified once; the next one that
 * goes through clears it.
 */
export async function startRecharge(
  tx: Tx,
  config: Config,
  state: WalletState,
  request: RechargeRequest,
  now: Date,
  card?: CardRef | null,
): Promise<{ recharge: Recharge | null; decision: PolicyDecision }> {
  const decided = await decide(tx, config, state, request, now, card);
  const { decision } = decided;
  if (decision.action === "charge") {
    const recharge = await insertRecharge(tx, {
      accountId: state.accountId,
      trigger: request.trigger,
      amountMicros: decision.amountMicros,
      paymentMethodId: decided.card!.id,
      backupFor: request.trigger === "backup" ? request.backupFor : null,
      confirmWithinMs: request.trigger === "manual" ? (request.confirmWithinMs ?? null) : null,
    });
    if (isAutomatic(request) && state.settings.limitReached !== null) {
      await tx.execute(sql`update auto_recharge_settings set limit_reached = null where account_id = ${state.accountId}`);
    }
    if (recharge) {
      logMoneyEvent(tx, "recharge.created", { recharge_id: recharge.id, account_id: state.accountId, trigger: request.trigger, amount: formatMicros(decision.amountMicros) });
    }
    return { recharge: recharge ?? null, decision };
  }
  if (decision.action === "limit" && state.settings.limitReached !== decision.reason) {
    await tx.execute(
      sql`update auto_recharge_settings set limit_reached = ${decision.reason}, updated_at = now() where account_id = ${state.accountId}`,
    );
    await notify(tx, {
      accountId: state.accountId,
      agencyId: state.agencyId,
      event: {
        type: "auto_recharge.limit_reached",
        reason: decision.reason,
        amountMicros: decision.amountMicros,
        balanceMicros: state.balanceMicros,
        maxAutomaticChargesPer24h: config.limits.maxAutomaticChargesPer24h,
        monthlyLimitMicros: state.settings.monthlyLimitMicros,
      },
    });
  }
  return { recharge: null, decision };
}
