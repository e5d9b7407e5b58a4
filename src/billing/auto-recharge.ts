import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { queryRows, type Tx } from "../db/database.js";
import { AppError, invalid, notFound } from "../errors/app-error.js";
import { formatCents, formatMicros, type Micros } from "../money/micros.js";
import { notify } from "../notifications/notify.js";
import { reconcileStatus } from "./account-status.js";
import { decideAutoRecharge, type PolicyDecision } from "./auto-recharge-policy.js";
import { automaticChargeTotals, insertRecharge, type Recharge, type RechargeTrigger } from "./recharges.js";
import { loadWalletState, usableCard, type CardRef, type WalletState } from "./wallet-state.js";

/** Decides on an automatic recharge for `state`, reading the limit totals only when it matters. */
async function decide(tx: Tx, config: Config, state: WalletState, now: Date): Promise<{ decision: PolicyDecision; card: CardRef | null }> {
  const card = usableCard(state, now);
  const input = {
    ...state.settings,
    balanceMicros: state.balanceMicros,
    inFlight: state.inFlight !== null,
    hasCard: card !== null,
    cardFailing: state.settings.failing && card?.id === state.settings.failingPaymentMethodId,
    automaticChargesLast24h: 0,
    automaticMonthMicros: 0n,
    maxAutomaticChargesPer24h: config.limits.maxAutomaticChargesPer24h,
    maxPerChargeMicros: config.limits.amountMaxMicros,
  };
  const first = decideAutoRecharge(input);
  if (first.action !== "charge") return { decision: first, card };
  const totals = await automaticChargeTotals(tx, state.accountId);
  return {
    decision: decideAutoRecharge({ ...input, automaticChargesLast24h: totals.last24h, automaticMonthMicros: totals.monthMicros }),
    card,
  };
}

/**
 * Starts an automatic recharge when the policy says so, in the caller's transaction (which
 * holds the wallet lock). A limit that holds one back is recorded and notified once.
 */
export async function maybeStartAutoRecharge(
  tx: Tx,
  config: Config,
  state: WalletState,
  trigger: Exclude<RechargeTrigger, "manual">,
  now: Date,
): Promise<{ recharge: Recharge | null; decision: PolicyDecision }> {
  const { decision, card } = await decide(tx, config, state, now);
  if (decision.action === "charge" && card) {
    const recharge = await insertRecharge(tx, {
      accountId: state.accountId,
      trigger,
      amountMicros: decision.amountMicros,
      paymentMethodId: card.id,
    });
    if (state.settings.limitReached !== null) {
      await tx.execute(sql`update auto_recharge_settings set limit_reached = null where account_id = ${state.accountId}`);
    }
    return { recharge: recharge ?? null, decision };
  }
  if (decision.action === "limit" && state.settings.limitReached !== decision.reason) {
    await tx.execute(
      sql`update auto_recharge_settings set limit_reached = ${decision.reason}, updated_at = now() where account_id = ${state.accountId}`,
    );
    const why =
      decision.reason === "daily_count"
        ? `the limit of ${config.limits.maxAutomaticChargesPer24h} automatic charges in 24 hours was reached`
        : `it would exceed your monthly limit of $${formatCents(state.settings.monthlyLimitMicros ?? 0n)}`;
    await notify(tx, {
      accountId: state.accountId,
      agencyId: state.agencyId,
      type: "auto_recharge.limit_reached",
      message: `Auto-Recharge of $${formatCents(decision.amountMicros)} was not made: ${why}. Balance: $${formatMicros(state.balanceMicros)}. Add credit manually or raise the limit.`,
      data: { reason: decision.reason, amount: formatCents(decision.amountMicros), balance: formatMicros(state.balanceMicros) },
    });
  }
  return { recharge: null, decision };
}

/**
 * What follows a change of balance, in the transaction that made it (the wallet is locked):
 * after a debit, the Auto-Recharge trigger; a low-balance notice when nothing will top the
 * wallet up; and the pause rule.
 */
export async function afterBalanceChange(
  tx: Tx,
  config: Config,
  accountId: string,
  balanceBeforeMicros: Micros,
  now: Date,
): Promise<{ state: WalletState; recharge: Recharge | null }> {
  const state = await loadWalletState(tx, config.rates, accountId);
  if (!state) throw new Error(`assertion: account ${accountId} has a wallet`);
  return applyBalanceRules(tx, config, state, balanceBeforeMicros, now);
}

/**
 * afterBalanceChange for a state already read (by the usage writer, many accounts at once).
 * The Auto-Recharge rule looks at the balance after any change, not only debits: a wallet
 * still below its threshold when a charge settles (usage ran on meanwhile, or the threshold
 * was raised) is topped up again, since no later debit may come to do it.
 */
export async function applyBalanceRules(
  tx: Tx,
  config: Config,
  state: WalletState,
  balanceBeforeMicros: Micros,
  now: Date,
): Promise<{ state: WalletState; recharge: Recharge | null }> {
  const accountId = state.accountId;
  const threshold = state.settings.thresholdMicros;
  const started = await maybeStartAutoRecharge(tx, config, state, "auto", now);
  const recharge = started.recharge;
  const crossed = balanceBeforeMicros >= threshold && state.balanceMicros < threshold;
  if (crossed && !recharge && !state.inFlight) {
    await notify(tx, {
      accountId,
      agencyId: state.agencyId,
      type: "balance.low",
      message:
        `Your balance of $${formatMicros(state.balanceMicros)} is below your threshold of $${formatCents(threshold)} ` +
        `and Auto-Recharge ${state.settings.enabled ? "cannot top it up" : "is off"}. Add credit to keep calls running.`,
      data: { balance: formatMicros(state.balanceMicros), threshold: formatCents(threshold), reason: started.decision.action === "charge" ? null : started.decision.reason },
    });
  }
  await reconcileStatus(tx, state);
  return { state: recharge ? { ...state, inFlight: { id: recharge.id, amountMicros: recharge.amountMicros, status: "pending" } } : state, recharge };
}

export interface SettingsPatch {
  enabled?: boolean | undefined;
  thresholdMicros?: Micros | undefined;
  amountMicros?: Micros | undefined;
  /** null clears the limit. */
  monthlyLimitMicros?: Micros | null | undefined;
  /** null means "the default card". */
  paymentMethodId?: string | null | undefined;
}

/** Applies a patch to the current settings and checks it against the operator limits. */
async function mergeSettings(tx: Tx, config: Config, state: WalletState, patch: SettingsPatch, now: Date) {
  const merged = {
    enabled: patch.enabled ?? state.settings.enabled,
    thresholdMicros: patch.thresholdMicros ?? state.settings.thresholdMicros,
    amountMicros: patch.amountMicros ?? state.settings.amountMicros,
    monthlyLimitMicros: patch.monthlyLimitMicros === undefined ? state.settings.monthlyLimitMicros : patch.monthlyLimitMicros,
    paymentMethodId: patch.paymentMethodId === undefined ? state.settings.paymentMethodId : patch.paymentMethodId,
  };
  const { limits } = config;
  if (merged.thresholdMicros < limits.thresholdMinMicros || merged.thresholdMicros > limits.thresholdMaxMicros) {
    throw invalid(`threshold: must be between ${formatCents(limits.thresholdMinMicros)} and ${formatCents(limits.thresholdMaxMicros)}`);
  }
  if (merged.amountMicros < limits.amountMinMicros || merged.amountMicros > limits.amountMaxMicros) {
    throw invalid(`amount: must be between ${formatCents(limits.amountMinMicros)} and ${formatCents(limits.amountMaxMicros)}`);
  }
  if (merged.monthlyLimitMicros !== null && merged.monthlyLimitMicros < merged.amountMicros) {
    throw invalid("monthly_limit: must be at least the Auto-Recharge amount, or null for no limit");
  }
  if (merged.paymentMethodId !== null) {
    const [card] = await queryRows(
      tx,
      sql`select 1 from payment_methods where id = ${merged.paymentMethodId} and account_id = ${state.accountId} and deleted_at is null`,
    );
    if (!card) throw notFound("payment method");
  }
  // The state as it will be once saved, to decide on a threshold-sync recharge.
  const after: WalletState = { ...state, settings: { ...state.settings, ...merged } };
  if (merged.paymentMethodId !== state.settings.paymentMethodId) {
    after.card = await findCard(tx, state.accountId, merged.paymentMethodId);
  }
  if (merged.enabled && !usableCard(after, now)) {
    throw new AppError("payment_method_required", "add a valid card before enabling Auto-Recharge");
  }
  return { merged, after };
}

/** The chosen saved card, or the default one when `paymentMethodId` is null. */
async function findCard(tx: Tx, accountId: string, paymentMethodId: string | null): Promise<CardRef | null> {
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

/**
 * Saves Auto-Recharge settings. Threshold sync: when the saved settings are enabled and the
 * balance is already below the threshold, the recharge is created in this same transaction.
 */
export async function saveSettings(
  tx: Tx,
  config: Config,
  accountId: string,
  patch: SettingsPatch,
  now: Date,
): Promise<{ state: WalletState; triggered: Recharge | null }> {
  const state = await loadWalletState(tx, config.rates, accountId, { lock: true });
  if (!state) throw notFound("account");
  const { merged, after } = await mergeSettings(tx, config, state, patch, now);
  await tx.execute(
    sql`insert into auto_recharge_settings (account_id, enabled, threshold_micros, amount_micros, monthly_limit_micros, payment_method_id)
        values (${accountId}, ${merged.enabled}, ${merged.thresholdMicros}, ${merged.amountMicros}, ${merged.monthlyLimitMicros}, ${merged.paymentMethodId})
        on conflict (account_id) do update set
          enabled = excluded.enabled, threshold_micros = excluded.threshold_micros, amount_micros = excluded.amount_micros,
          monthly_limit_micros = excluded.monthly_limit_micros, payment_method_id = excluded.payment_method_id,
          disabled_at = case when excluded.enabled then null
                             when auto_recharge_settings.enabled then now()
                             else auto_recharge_settings.disabled_at end,
          -- new settings get a fresh look at the limits
          limit_reached = null, updated_at = now()`,
  );
  const saved: WalletState = { ...after, settings: { ...after.settings, saved: true, limitReached: null } };
  const { recharge } = merged.enabled
    ? await maybeStartAutoRecharge(tx, config, saved, "threshold_sync", now)
    : { recharge: null };
  await notify(tx, {
    accountId,
    agencyId: state.agencyId,
    type: "auto_recharge.updated",
    message: merged.enabled
      ? `Auto-Recharge is on: when your balance falls below $${formatCents(merged.thresholdMicros)}, $${formatCents(merged.amountMicros)} is charged to your card.` +
        (recharge ? ` Your balance is below the threshold, so $${formatCents(recharge.amountMicros)} is being charged now.` : "")
      : "Auto-Recharge is off.",
    data: {
      enabled: merged.enabled,
      threshold: formatCents(merged.thresholdMicros),
      amount: formatCents(merged.amountMicros),
      monthly_limit: merged.monthlyLimitMicros === null ? null : formatCents(merged.monthlyLimitMicros),
      triggered_recharge_id: recharge?.id ?? null,
    },
  });
  const final = await loadWalletState(tx, config.rates, accountId);
  return { state: final!, triggered: recharge };
}

/** What saving `patch` would charge now, and to which card; writes nothing. */
export async function previewSettings(
  tx: Tx,
  config: Config,
  accountId: string,
  patch: SettingsPatch,
  now: Date,
): Promise<{ state: WalletState; decision: PolicyDecision; card: CardRef | null }> {
  const state = await loadWalletState(tx, config.rates, accountId);
  if (!state) throw notFound("account");
  const { after } = await mergeSettings(tx, config, state, patch, now);
  const { decision, card } = await decide(tx, config, { ...after, settings: { ...after.settings, limitReached: null } }, now);
  return { state: after, decision, card };
}
