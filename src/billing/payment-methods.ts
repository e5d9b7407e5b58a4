import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { queryRows, type Database, type Tx } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { AppError, invalid, notFound } from "../errors/app-error.js";
import { newId } from "../ids/prefixed-id.js";
import type { SavedCard } from "../payments/gateway.js";
import type { Recharge } from "./recharges.js";
import { startRecharge } from "./start-recharge.js";
import { loadWalletState, type CardRef } from "./wallet-state.js";

export interface PaymentMethod {
  id: string;
  accountId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  isDefault: boolean;
  createdAt: string;
}

interface Row {
  id: string;
  account_id: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  is_default: boolean;
  created_at: unknown;
}

const fromRow = (r: Row): PaymentMethod => ({
  id: r.id,
  accountId: r.account_id,
  brand: r.brand,
  last4: r.last4,
  expMonth: Number(r.exp_month),
  expYear: Number(r.exp_year),
  isDefault: r.is_default,
  createdAt: toIso(r.created_at),
});

/**
 * Stores a card the provider has saved (brand, last 4, expiry and the provider's reference;
 * never the number). The first card, a card asked to be the default, and any card added
 * while Auto-Recharge is failing become the default; in the last case the failed recharge
 * is retried on it at once, in this transaction.
 */
export async function addPaymentMethod(
  tx: Tx,
  config: Config,
  accountId: string,
  provider: "sandbox" | "stripe",
  card: SavedCard,
  makeDefault: boolean,
  now: Date,
): Promise<{ paymentMethod: PaymentMethod; retry: Recharge | null }> {
  const state = await loadWalletState(tx, config.rates, accountId, { lock: true });
  if (!state) throw notFound("account");
  const isDefault = makeDefault || state.settings.failing || (await countSavedCards(tx, accountId)) === 0n;
  if (isDefault) {
    await tx.execute(sql`update payment_methods set is_default = false where account_id = ${accountId} and is_default`);
  }
  const [row] = await queryRows<Row>(
    tx,
    sql`insert into payment_methods (id, account_id, provider, provider_ref, brand, last4, exp_month, exp_year, is_default)
        values (${newId("pm")}, ${accountId}, ${provider}, ${card.providerRef}, ${card.brand}, ${card.last4},
                ${card.expMonth}, ${card.expYear}, ${isDefault})
        returning *`,
  );
  const paymentMethod = fromRow(row!);
  let retry: Recharge | null = null;
  if (state.settings.failing) {
    // The new card replaces the one that failed: charge it, not a card chosen earlier.
    await tx.execute(sql`update auto_recharge_settings set payment_method_id = null where account_id = ${accountId}`);
    const after = await loadWalletState(tx, config.rates, accountId);
    ({ recharge: retry } = await startRecharge(tx, config, after!, { trigger: "retry" }, now));
  }
  return { paymentMethod, retry };
}

async function countSavedCards(db: Database | Tx, accountId: string): Promise<bigint> {
  const [saved] = await queryRows<{ n: bigint }>(
    db,
    sql`select count(*) as n from payment_methods where account_id = ${accountId} and deleted_at is null`,
  );
  return BigInt(saved?.n ?? 0n);
}

/** At most `max` saved cards an account (DESIGN §5): 400 before another reaches the vault. */
export async function refuseOverSavedCardCap(db: Database, accountId: string, max: number): Promise<void> {
  if ((await countSavedCards(db, accountId)) >= BigInt(max)) throw invalid(`at most ${max} saved cards per account; remove one first`);
}

export async function listPaymentMethods(tx: Tx, accountId: string): Promise<PaymentMethod[]> {
  const rows = await queryRows<Row>(
    tx,
    sql`select * from payment_methods where account_id = ${accountId} and deleted_at is null order by created_at desc, id desc`,
  );
  return rows.map(fromRow);
}

/**
 * Removes a card (kept, marked deleted, for the history of the charges made on it). The
 * newest remaining card becomes the default. The last card cannot go while Auto-Recharge
 * is on: it would silently stop topping up.
 */
export async function deletePaymentMethod(tx: Tx, config: Config, accountId: string, paymentMethodId: string): Promise<void> {
  const state = await loadWalletState(tx, config.rates, accountId, { lock: true });
  if (!state) throw notFound("account");
  const [card] = await queryRows<{ is_default: boolean }>(
    tx,
    sql`select is_default from payment_methods where id = ${paymentMethodId} and account_id = ${accountId} and deleted_at is null`,
  );
  if (!card) throw notFound("payment method");
  const [others] = await queryRows<{ n: bigint }>(
    tx,
    sql`select count(*) as n from payment_methods where account_id = ${accountId} and deleted_at is null and id <> ${paymentMethodId}`,
  );
  if (state.settings.enabled && (others?.n ?? 0n) === 0n) {
    throw new AppError("payment_method_required", "this is the card Auto-Recharge uses: add another card or turn Auto-Recharge off first");
  }
  await tx.execute(sql`update payment_methods set deleted_at = now(), is_default = false where id = ${paymentMethodId}`);
  // A recharge waiting on this card (a retry's backoff) is due now: the worker never charges a
  // removed card, so it ends it (after asking the provider whether an earlier try charged) and
  // the rules then start one on the new default card, instead of blocking it for the backoff.
  await tx.execute(
    sql`update recharges set next_attempt_at = now() where payment_method_id = ${paymentMethodId} and status = 'pending' and next_attempt_at > now()`,
  );
  await tx.execute(sql`update auto_recharge_settings set payment_method_id = null where account_id = ${accountId} and payment_method_id = ${paymentMethodId}`);
  if (card.is_default) {
    await tx.execute(
      sql`update payment_methods set is_default = true where id = (
            select id from payment_methods where account_id = ${accountId} and deleted_at is null
            order by created_at desc, id desc limit 1)`,
    );
  }
}

/**
 * A saved card of the account: the one asked for, or the default one when `paymentMethodId`
 * is null (a top-up without a card; settings that name none). Removed cards are not found.
 * (The card an automatic charge uses, the chosen one else the default, is read with the
 * wallet state, in the same query, for many accounts at once.)
 */
export async function findCard(tx: Tx, accountId: string, paymentMethodId: string | null): Promise<CardRef | null> {
  const [row] = await queryRows<{ id: string; brand: string; last4: string; exp_month: number; exp_year: number; provider_ref: string }>(
    tx,
    sql`select id, brand, last4, exp_month, exp_year, provider_ref from payment_methods
        where account_id = ${accountId} and deleted_at is null
          and ${paymentMethodId === null ? sql`is_default` : sql`id = ${paymentMethodId}`}`,
  );
  return row
    ? { id: row.id, brand: row.brand, last4: row.last4, expMonth: row.exp_month, expYear: row.exp_year, providerRef: row.provider_ref }
    : null;
}
