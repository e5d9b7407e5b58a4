import type { Config } from "../config/config.js";
import type { Tx } from "../db/database.js";
import { rechargeAmount } from "./recharge-amount.js";
import { insertRecharge, type Recharge } from "./recharges.js";
import { loadWalletState, usableCard } from "./wallet-state.js";

/**
 * A card added while Auto-Recharge is failing retries at once. It charges what lifts the
 * balance to the threshold, or to one minute of calls when the threshold is lower, so a
 * paused account is always unpaused by a card that works. Runs in the caller's transaction
 * with the wallet locked; returns null when nothing needs charging or a charge is in flight.
 */
export async function maybeRetryAfterNewCard(tx: Tx, config: Config, accountId: string, now: Date): Promise<Recharge | null> {
  const state = await loadWalletState(tx, config.rates, accountId);
  if (!state || !state.settings.enabled || state.inFlight) return null;
  const card = usableCard(state, now);
  if (!card) return null;
  const target = state.settings.thresholdMicros > state.minuteCostMicros ? state.settings.thresholdMicros : state.minuteCostMicros;
  if (state.balanceMicros >= target && state.status === "active") return null;
  const amountMicros = rechargeAmount({
    balanceMicros: state.balanceMicros,
    thresholdMicros: target,
    amountMicros: state.settings.amountMicros,
    maxPerChargeMicros: config.limits.amountMaxMicros,
  });
  return (await insertRecharge(tx, { accountId, trigger: "retry", amountMicros, paymentMethodId: card.id })) ?? null;
}
