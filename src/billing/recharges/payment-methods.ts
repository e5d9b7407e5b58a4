import { and, count, desc, eq, isNull, ne, sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import type { Database, Tx } from "../../db/database.js";
import { paymentMethods } from "../../db/schema.js";
import { AppError, invalid, notFound } from "../../errors/app-error.js";
import { newId } from "../../ids/prefixed-id.js";
import type { SavedCard } from "../../payments/gateway.js";
import type { Recharge } from "./recharges.js";
import { decide, startRecharge } from "./start-recharge.js";
import type { PolicyDecision } from "./recharge-policy.js";
import { loadWalletState, type CardRef, type WalletState } from "../status/wallet-state.js";

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

const fromRow = (r: typeof paymentMethods.$inferSelect): PaymentMethod => ({
  id: r.id,
  accountId: r.accountId,
  brand: r.brand,
  last4: r.last4,
  expMonth: r.expMonth,
  expYear: r.expYear,
  isDefault: r.isDefault,
  createdAt: r.createdAt.toISOString(),
});

/** The account's saved cards (not removed), with `more` conditions. */
const savedCards = (accountId: string, ...more: ReturnType<typeof eq>[]) =>
  and(eq(paymentMethods.accountId, accountId), isNull(paymentMethods.deletedAt), ...more);

/**
 * Stores a card the provider has saved (brand, last 4, expiry and the provider's reference;
 * never the number). The first card, a card asked to be the default, and any card added
 * while Auto-Recharge is failing become the default; in the last case the failed recharge
 * is retried on it at once, in this transaction.
 *
 * The same card saved again (the provider's fingerprint matches a saved card's) replaces the
 * saved copy instead of sitting beside it — two identical rows both offered for charging help
 * nobody — and takes over its roles: the default, the card Auto-Recharge charges. It is not
 * refused: saving the card again is how a user says "try it again" after a decline, and how a
 * new expiry date arrives.
 */
export async function addPaymentMethod(
  tx: Tx,
  config: Config,
  accountId: string,
  provider: "sandbox" | "stripe",
  card: SavedCard,
  makeDefault: boolean,
  now: Date,
): Promise<{
  paymentMethod: PaymentMethod;
  retry: Recharge | null;
  replaced: PaymentMethod | null;
  /** Auto-Recharge was failing and now charges this card: the card it charged before (for the audit log). */
  autoRechargeMovedFrom: CardRef | null;
}> {
  const state = await loadWalletState(tx, config.rates, accountId, { lock: true });
  if (!state) throw notFound("account");
  const [copy] = card.fingerprint === null ? [] : await tx.select().from(paymentMethods).where(savedCards(accountId, eq(paymentMethods.fingerprint, card.fingerprint)));
  const isDefault = makeDefault || state.settings.failing || copy?.isDefault === true || (await countSavedCards(tx, accountId)) === 0;
  if (copy) await retireCard(tx, copy.id);
  if (isDefault) {
    await tx.update(paymentMethods).set({ isDefault: false }).where(and(eq(paymentMethods.accountId, accountId), eq(paymentMethods.isDefault, true)));
  }
  const [row] = await tx
    .insert(paymentMethods)
    .values({ id: newId("pm"), accountId, provider, providerRef: card.providerRef, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, fingerprint: card.fingerprint, isDefault })
    .returning();
  const paymentMethod = fromRow(row!);
  if (copy) {
    await tx.execute(sql`update auto_recharge_settings set payment_method_id = ${paymentMethod.id} where account_id = ${accountId} and payment_method_id = ${copy.id}`);
    await tx.execute(sql`update auto_recharge_settings set backup_payment_method_id = ${paymentMethod.id} where account_id = ${accountId} and backup_payment_method_id = ${copy.id}`);
  }
  let retry: Recharge | null = null;
  let autoRechargeMovedFrom: CardRef | null = null;
  if (state.settings.failing) {
    autoRechargeMovedFrom = state.card;
    // The new card replaces the one that failed: charge it, not a card chosen earlier.
    await tx.execute(sql`update auto_recharge_settings set payment_method_id = null where account_id = ${accountId}`);
    const after = await loadWalletState(tx, config.rates, accountId);
    ({ recharge: retry } = await startRecharge(tx, config, after!, { trigger: "retry" }, now));
  }
  return { paymentMethod, retry, replaced: copy ? fromRow(copy) : null, autoRechargeMovedFrom };
}

/**
 * Marks a card removed (kept for the history of the charges made on it). A recharge waiting on
 * it (a retry's backoff) is due now: the worker never charges a removed card, so it ends it
 * (after asking the provider whether an earlier try charged) and the rules then start one on
 * the card that takes its place, instead of blocking it for the backoff.
 */
async function retireCard(tx: Tx, paymentMethodId: string): Promise<void> {
  await tx.update(paymentMethods).set({ deletedAt: sql`now()`, isDefault: false }).where(eq(paymentMethods.id, paymentMethodId));
  await tx.execute(
    sql`update recharges set next_attempt_at = now() where payment_method_id = ${paymentMethodId} and status = 'pending' and next_attempt_at > now()`,
  );
}

async function countSavedCards(db: Database | Tx, accountId: string, except?: string): Promise<number> {
  const [saved] = await db
    .select({ n: count() })
    .from(paymentMethods)
    .where(savedCards(accountId, ...(except ? [ne(paymentMethods.id, except)] : [])));
  return saved?.n ?? 0;
}

/** At most `max` saved cards an account (docs/concepts.md): 400 before another reaches the vault. */
export async function refuseOverSavedCardCap(db: Database, accountId: string, max: number): Promise<void> {
  if ((await countSavedCards(db, accountId)) >= max) throw invalid(`at most ${max} saved cards per account; remove one first`);
}

export async function listPaymentMethods(tx: Tx, accountId: string): Promise<PaymentMethod[]> {
  const rows = await tx.select().from(paymentMethods).where(savedCards(accountId)).orderBy(desc(paymentMethods.createdAt), desc(paymentMethods.id));
  return rows.map(fromRow);
}

/**
 * Removes a card (kept, marked deleted, for the history of the charges made on it). The
 * newest remaining card becomes the default. The last card cannot go while Auto-Recharge
 * is on: it would silently stop topping up.
 */
export async function deletePaymentMethod(tx: Tx, config: Config, accountId: string, paymentMethodId: string): Promise<PaymentMethod> {
  const state = await loadWalletState(tx, config.rates, accountId, { lock: true });
  if (!state) throw notFound("account");
  const [card] = await tx.select().from(paymentMethods).where(savedCards(accountId, eq(paymentMethods.id, paymentMethodId)));
  if (!card) throw notFound("payment method");
  if (state.settings.enabled && (await countSavedCards(tx, accountId, paymentMethodId)) === 0) {
    throw new AppError("payment_method_required", "this is the card Auto-Recharge uses: add another card or turn Auto-Recharge off first");
  }
  await retireCard(tx, paymentMethodId);
  await tx.execute(sql`update auto_recharge_settings set payment_method_id = null where account_id = ${accountId} and payment_method_id = ${paymentMethodId}`);
  // A removed backup card is simply unset.
  await tx.execute(sql`update auto_recharge_settings set backup_payment_method_id = null where account_id = ${accountId} and backup_payment_method_id = ${paymentMethodId}`);
  if (card.isDefault) {
    await tx.execute(
      sql`update payment_methods set is_default = true where id = (
            select id from payment_methods where account_id = ${accountId} and deleted_at is null
            order by created_at desc, id desc limit 1)`,
    );
  }
  return fromRow(card);
}

/**
 * Makes a saved card the default: the card a top-up without a card, and Auto-Recharge set to
 * "the default card", charge. Nothing is charged now. Returns the card and the one that was
 * the default before (null when it was this one already: nothing changed).
 */
export async function makeDefaultCard(tx: Tx, config: Config, accountId: string, paymentMethodId: string): Promise<{ card: PaymentMethod; previous: PaymentMethod | null }> {
  await loadWalletState(tx, config.rates, accountId, { lock: true });
  const [card] = await tx.select().from(paymentMethods).where(savedCards(accountId, eq(paymentMethods.id, paymentMethodId)));
  if (!card) throw notFound("payment method");
  if (card.isDefault) return { card: fromRow(card), previous: null };
  const [previous] = await tx
    .update(paymentMethods)
    .set({ isDefault: false })
    .where(and(eq(paymentMethods.accountId, accountId), eq(paymentMethods.isDefault, true)))
    .returning();
  const [made] = await tx.update(paymentMethods).set({ isDefault: true }).where(eq(paymentMethods.id, paymentMethodId)).returning();
  return { card: fromRow(made!), previous: previous ? fromRow(previous) : null };
}

/**
 * A saved card of the account: the one asked for, or the default one when `paymentMethodId`
 * is null (a top-up without a card; settings that name none). Removed cards are not found.
 * (The card an automatic charge uses, the chosen one else the default, is read with the
 * wallet state, in the same query, for many accounts at once.)
 */
export async function findCard(tx: Tx, accountId: string, paymentMethodId: string | null): Promise<CardRef | null> {
  const [card] = await tx
    .select({ id: paymentMethods.id, brand: paymentMethods.brand, last4: paymentMethods.last4, expMonth: paymentMethods.expMonth, expYear: paymentMethods.expYear, providerRef: paymentMethods.providerRef })
    .from(paymentMethods)
    .where(savedCards(accountId, paymentMethodId === null ? eq(paymentMethods.isDefault, true) : eq(paymentMethods.id, paymentMethodId)));
  return card ?? null;
}

/**
 * What saving a card now would charge at once, writing nothing: while Auto-Recharge is
 * failing, a card added becomes the default and the failed recharge is retried on it (the
 * `retry` trigger, limits counted); otherwise nothing. The page says it before the user saves.
 */
export async function previewCardSave(tx: Tx, config: Config, accountId: string, now: Date): Promise<{ state: WalletState; decision: PolicyDecision | null }> {
  const state = await loadWalletState(tx, config.rates, accountId);
  if (!state) throw notFound("account");
  if (!state.settings.failing) return { state, decision: null };
  // A card not saved yet: not the one that failed, not under a dispute, not expired.
  const fresh: CardRef = { id: "pm_new", brand: "card", last4: "0000", expMonth: 12, expYear: now.getUTCFullYear() + 10, providerRef: "" };
  const { decision } = await decide(tx, config, { ...state, settings: { ...state.settings, paymentMethodId: null } }, { trigger: "retry" }, now, fresh);
  return { state, decision };
}
