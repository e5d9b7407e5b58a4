import type { Config } from "../../config/config.js";
import type { Tx } from "../../db/database.js";
import { AppError, invalid, invalidField, notFound } from "../../errors/app-error.js";
import { formatCents, type Micros } from "../../money/micros.js";
import { isExpired } from "../../payments/card-number.js";
import { findCard } from "./payment-methods.js";
import type { Recharge } from "./recharges.js";
import { startRecharge } from "./start-recharge.js";
import { loadWalletState } from "../status/wallet-state.js";
import { assert } from "../../errors/assert.js";
import { ON_SESSION_CONFIRM_MS } from "./on-session.js";

/**
 * A user's manual top-up: a recharge of `amount` on the chosen card or the default one.
 * It is the user's explicit act, so it may charge a card Auto-Recharge marked failing.
 * One charge at a time per account: while another is in flight, it is refused.
 *
 * `onSession` (Stripe): the customer confirms the payment in the page, where the bank may ask
 * for 3-D Secure, instead of the worker charging it off-session; the recharge waits for that
 * until `confirm_by` (ON_SESSION_CONFIRM_MS from now), and is then settled by what Stripe says.
 */
export async function manualTopUp(
  tx: Tx,
  config: Config,
  accountId: string,
  amountMicros: Micros,
  paymentMethodId: string | undefined,
  now: Date,
  onSession = false,
): Promise<Recharge> {
  const { amountMinMicros, amountMaxMicros } = config.limits;
  if (amountMicros < amountMinMicros || amountMicros > amountMaxMicros) {
    throw invalidField("amount", `must be between ${formatCents(amountMinMicros)} and ${formatCents(amountMaxMicros)}`);
  }
  const state = await loadWalletState(tx, config.rates, accountId, { lock: true });
  if (!state) throw notFound("account");
  const card = await findCard(tx, accountId, paymentMethodId ?? null);
  if (!card) {
    if (paymentMethodId !== undefined) throw notFound("payment method");
    throw new AppError("payment_method_required", "add a card before topping up");
  }
  if (isExpired(card.expMonth, card.expYear, now)) throw new AppError("payment_method_required", "this card has expired: add a valid card");
  const { recharge, decision } = await startRecharge(tx, config, state, { trigger: "manual", amountMicros, confirmWithinMs: onSession ? ON_SESSION_CONFIRM_MS : null }, now, card);
  if (decision.action === "none" && decision.reason === "in_flight") {
    throw invalid(`a charge of $${formatCents(state.inFlight!.amountMicros)} is already in progress; try again when it settles`);
  }
  assert(recharge, `a manual top-up on a usable card with nothing in flight starts (decided: ${decision.action})`);
  return recharge;
}
