import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { queryRows, type Tx } from "../db/database.js";
import { AppError, invalid, notFound } from "../errors/app-error.js";
import { formatCents, type Micros } from "../money/micros.js";
import { isExpired } from "../payments/card-number.js";
import { insertRecharge, type Recharge } from "./recharges.js";
import { loadWalletState } from "./wallet-state.js";

/**
 * A user's manual top-up: a recharge of `amount` on the chosen card or the default one.
 * It is the user's explicit act, so it may charge a card Auto-Recharge marked failing.
 * One charge at a time per account: while another is in flight, it is refused.
 */
export async function manualTopUp(
  tx: Tx,
  config: Config,
  accountId: string,
  amountMicros: Micros,
  paymentMethodId: string | undefined,
  now: Date,
): Promise<Recharge> {
  const { amountMinMicros, amountMaxMicros } = config.limits;
  if (amountMicros < amountMinMicros || amountMicros > amountMaxMicros) {
    throw invalid(`amount: must be between ${formatCents(amountMinMicros)} and ${formatCents(amountMaxMicros)}`);
  }
  const state = await loadWalletState(tx, config.rates, accountId, { lock: true });
  if (!state) throw notFound("account");
  const [card] = await queryRows<{ id: string; exp_month: number; exp_year: number }>(
    tx,
    sql`select id, exp_month, exp_year from payment_methods
        where account_id = ${accountId} and deleted_at is null
          and ${paymentMethodId === undefined ? sql`is_default` : sql`id = ${paymentMethodId}`}`,
  );
  if (!card) {
    if (paymentMethodId !== undefined) throw notFound("payment method");
    throw new AppError("payment_method_required", "add a card before topping up");
  }
  if (isExpired(card.exp_month, card.exp_year, now)) throw new AppError("payment_method_required", "this card has expired: add a valid card");
  if (state.inFlight) throw invalid(`a charge of $${formatCents(state.inFlight.amountMicros)} is already in progress; try again when it settles`);
  const recharge = await insertRecharge(tx, { accountId, trigger: "manual", amountMicros, paymentMethodId: card.id });
  if (!recharge) throw new Error("assertion: no recharge in flight under the wallet lock, yet the insert conflicted");
  return recharge;
}
