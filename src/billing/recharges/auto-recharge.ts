import { sql } from "drizzle-orm";
import { alertCrossings, levelFromStored } from "../status/balance-alerts.js";
import type { Config } from "../../config/config.js";
import { queryRows, type Tx } from "../../db/database.js";
import { AppError, invalidField, notFound } from "../../errors/app-error.js";
import { formatCents, type Micros } from "../../money/micros.js";
import { notify } from "../../notifications/notify.js";
import { reconcileStatus } from "../status/account-status.js";
import { findCard } from "./payment-methods.js";
import type { PolicyDecision } from "./recharge-policy.js";
import type { Recharge } from "./recharges.js";
import { decide, startRecharge } from "./start-recharge.js";
import { loadWalletState, usableCard, type CardRef, type WalletState } from "../status/wallet-state.js";
import { assert } from "../../errors/assert.js";
import { cardLabel } from "../../payments/card-label.js";
import { needsConsent, recordConsent, type Consent, type ConsentedSettings, type ConsentInput } from "./consent.js";
import { consentSentence, type ConsentTerms } from "./consent-sentence.js";

/**
 * The rules that follow any change of balance, in the transaction that made it (the wallet
 * is locked), given the state after it (or the account, to read it): the Auto-Recharge rule,
 * which looks at the balance after any change, not only debits (a wallet still below its
 * threshold when a charge settles is topped up again, since no later debit may come to do
 * it); a low-balance notice when the balance crossed the threshold and nothing will top it
 * up; and the pause rule.
 */
export async function afterBalanceChange(
  tx: Tx,
  config: Config,
  stateOrAccountId: WalletState | string,
  balanceBeforeMicros: Micros,
  now: Date,
  /**
   * automaticCharge false for a refund: money given back never starts an automatic charge
   * (docs/concepts.md); the next debit may. pause false for a recurring fee: a fee never pauses an
   * account by itself (docs/plans.md); the next call's usage applies the pause rule as usual.
   */
  options: { automaticCharge: boolean; pause?: boolean } = { automaticCharge: true },
): Promise<{ state: WalletState; recharge: Recharge | null }> {
  const state = typeof stateOrAccountId === "string" ? await loadWalletState(tx, config.rates, stateOrAccountId) : stateOrAccountId;
  assert(state, `account ${String(stateOrAccountId)} has a wallet`);
  const threshold = state.settings.thresholdMicros;
  const started = options.automaticCharge ? await startRecharge(tx, config, state, { trigger: "auto" }, now) : undefined;
  const recharge = started?.recharge ?? null;
  const crossed = balanceBeforeMicros >= threshold && state.balanceMicros < threshold;
  if (started && crossed && !recharge && !state.inFlight) {
    await notify(tx, {
      accountId: state.accountId,
      agencyId: state.agencyId,
      event: {
        type: "balance.low",
        balanceMicros: state.balanceMicros,
        thresholdMicros: threshold,
        autoRechargeEnabled: state.settings.enabled,
        reason: started.decision.action === "charge" ? null : started.decision.reason,
      },
    });
  }
  await notifyAlertCrossings(tx, state, { balanceMicros: balanceBeforeMicros, ratePerMinuteMicros: state.ratePerMinuteMicros });
  if (options.pause !== false) await reconcileStatus(tx, state);
  return { state: recharge ? { ...state, inFlight: { id: recharge.id, amountMicros: recharge.amountMicros, status: "pending" } } : state, recharge };
}

/**
 * Balance alerts (docs/concepts.md), independent of Auto-Recharge: one `balance.alert` per level the
 * change took the balance below, one `balance.recovered` per level it lifted it back above.
 * `before` is the balance and rate before the change; the state is after it.
 */
export async function notifyAlertCrossings(tx: Tx, state: WalletState, before: { balanceMicros: Micros; ratePerMinuteMicros: Micros }): Promise<void> {
  if (state.alertLevels.length === 0) return;
  const levels = state.alertLevels.map(levelFromStored);
  const crossings = alertCrossings(levels, before, { balanceMicros: state.balanceMicros, ratePerMinuteMicros: state.ratePerMinuteMicros });
  for (const crossing of crossings) {
    await notify(tx, {
      accountId: state.accountId,
      agencyId: state.agencyId,
      event: {
        type: crossing.direction === "down" ? "balance.alert" : "balance.recovered",
        level: state.alertLevels[levels.indexOf(crossing.level)]!,
        levelMicros: crossing.levelMicros,
        balanceMicros: state.balanceMicros,
        ratePerMinuteMicros: state.ratePerMinuteMicros,
      },
    });
  }
}

export interface SettingsPatch {
  enabled?: boolean | undefined;
  thresholdMicros?: Micros | undefined;
  amountMicros?: Micros | undefined;
  mode?: "fixed" | "target" | undefined;
  targetMicros?: Micros | undefined;
  /** null clears the limit. */
  monthlyLimitMicros?: Micros | null | undefined;
  /** null means "the default card". */
  paymentMethodId?: string | null | undefined;
  /** null: no backup card. */
  backupPaymentMethodId?: string | null | undefined;
}

/** Applies a patch to the current settings and checks it against the operator limits. */
async function mergeSettings(tx: Tx, config: Config, state: WalletState, patch: SettingsPatch, now: Date) {
  const merged = {
    enabled: patch.enabled ?? state.settings.enabled,
    thresholdMicros: patch.thresholdMicros ?? state.settings.thresholdMicros,
    amountMicros: patch.amountMicros ?? state.settings.amountMicros,
    mode: patch.mode ?? state.settings.mode,
    targetMicros: patch.targetMicros ?? state.settings.targetMicros,
    monthlyLimitMicros: patch.monthlyLimitMicros === undefined ? state.settings.monthlyLimitMicros : patch.monthlyLimitMicros,
    paymentMethodId: patch.paymentMethodId === undefined ? state.settings.paymentMethodId : patch.paymentMethodId,
    backupPaymentMethodId: patch.backupPaymentMethodId === undefined ? state.settings.backupPaymentMethodId : patch.backupPaymentMethodId,
  };
  const { limits } = config;
  if (merged.thresholdMicros < limits.thresholdMinMicros || merged.thresholdMicros > limits.thresholdMaxMicros) {
    throw invalidField("threshold", `must be between ${formatCents(limits.thresholdMinMicros)} and ${formatCents(limits.thresholdMaxMicros)}`);
  }
  if (merged.amountMicros < limits.amountMinMicros || merged.amountMicros > limits.amountMaxMicros) {
    throw invalidField("amount", `must be between ${formatCents(limits.amountMinMicros)} and ${formatCents(limits.amountMaxMicros)}`);
  }
  if (merged.mode === "target") {
    // Above the threshold (a target at or below it could never be reached by topping up), and
    // no further above the highest threshold than one maximum charge reaches.
    const targetMax = limits.thresholdMaxMicros + limits.amountMaxMicros;
    if (merged.targetMicros === null) throw invalidField("target", "required in target mode");
    if (merged.targetMicros <= merged.thresholdMicros || merged.targetMicros > targetMax) {
      throw invalidField("target", `must be above the threshold (${formatCents(merged.thresholdMicros)}) and at most ${formatCents(targetMax)}`);
    }
  }
  if (merged.monthlyLimitMicros !== null && merged.monthlyLimitMicros < (merged.mode === "target" ? limits.amountMinMicros : merged.amountMicros)) {
    throw invalidField("monthly_limit", "must be at least the Auto-Recharge amount, or null for no limit");
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
  if (merged.backupPaymentMethodId !== state.settings.backupPaymentMethodId) {
    after.backupCard = merged.backupPaymentMethodId === null ? null : await findCard(tx, state.accountId, merged.backupPaymentMethodId);
    if (merged.backupPaymentMethodId !== null && !after.backupCard) throw notFound("backup payment method");
  }
  // A backup is another card: the one that would be charged after the first was declined.
  if (after.backupCard && after.card && after.backupCard.id === after.card.id) {
    throw invalidField("backup_payment_method_id", "must be another card than the one Auto-Recharge charges");
  }
  return { merged, after };
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
  /** Who saves, and the consent they attest when the change needs one (consent.ts). */
  consent?: ConsentInput & { displayName: string },
): Promise<{ before: WalletState; state: WalletState; triggered: Recharge | null; consent: Consent | null }> {
  const state = await loadWalletState(tx, config.rates, accountId, { lock: true });
  if (!state) throw notFound("account");
  const { merged, after } = await mergeSettings(tx, config, state, patch, now);
  await tx.execute(
    sql`insert into auto_recharge_settings (account_id, enabled, threshold_micros, amount_micros, mode, target_micros, monthly_limit_micros, payment_method_id, backup_payment_method_id)
        values (${accountId}, ${merged.enabled}, ${merged.thresholdMicros}, ${merged.amountMicros}, ${merged.mode}, ${merged.targetMicros}, ${merged.monthlyLimitMicros}, ${merged.paymentMethodId}, ${merged.backupPaymentMethodId})
        on conflict (account_id) do update set
          enabled = excluded.enabled, threshold_micros = excluded.threshold_micros, amount_micros = excluded.amount_micros,
          mode = excluded.mode, target_micros = excluded.target_micros,
          monthly_limit_micros = excluded.monthly_limit_micros, payment_method_id = excluded.payment_method_id,
          backup_payment_method_id = excluded.backup_payment_method_id,
          disabled_at = case when excluded.enabled then null
                             when auto_recharge_settings.enabled then now()
                             else auto_recharge_settings.disabled_at end,
          -- new settings get a fresh look at the limits
          limit_reached = null, updated_at = now()`,
  );
  // Consent in the same transaction as the change it covers: turning on, or changing what is
  // charged, where or when while on. The caller's words, or the sentence the page would show.
  let recorded: Consent | null = null;
  const sentence = consent ? consentTextFor(state, after, consent.displayName) : null;
  if (consent && sentence !== null) {
    // The customer's own browser must have shown the sentence for exactly these settings: a page
    // opened before something moved (another tab, a card removed) reviews them again.
    if (consent.actor.type === "session" && consent.text === null) {
      throw invalidField("consent", `required for this change: send the sentence the customer agreed to (${sentence})`);
    }
    if (consent.actor.type === "session" && consent.text !== sentence) {
      throw invalidField("consent.text", "does not describe these settings; review them and agree again");
    }
    recorded = await recordConsent(tx, accountId, consent.text ?? sentence, consent, consentTerms(after, consent.displayName));
  }
  const saved: WalletState = { ...after, settings: { ...after.settings, saved: true, limitReached: null } };
  const { recharge } = merged.enabled ? await startRecharge(tx, config, saved, { trigger: "threshold_sync" }, now) : { recharge: null };
  await notify(tx, {
    accountId,
    agencyId: state.agencyId,
    event: {
      type: "auto_recharge.updated",
      enabled: merged.enabled,
      thresholdMicros: merged.thresholdMicros,
      amountMicros: merged.amountMicros,
      targetMicros: merged.mode === "target" ? merged.targetMicros : null,
      monthlyLimitMicros: merged.monthlyLimitMicros,
      triggered: recharge ? { id: recharge.id, amountMicros: recharge.amountMicros } : null,
    },
  });
  const final = await loadWalletState(tx, config.rates, accountId);
  return { before: state, state: final!, triggered: recharge, consent: recorded };
}

/**
 * The sentence a customer agrees to for going from `before` to `after` (consent-sentence.ts),
 * or null when the change needs no consent (turning off, or changing nothing a consent covers)
 * or there is no card to name.
 */
export function consentTextFor(before: WalletState, after: WalletState, displayName: string): string | null {
  if (!needsConsent(consentedOf(before), consentedOf(after)) || !after.card) return null;
  return consentSentence(consentTerms(after, displayName));
}

/** What a consent covers, read from a wallet state. */
const consentedOf = (state: WalletState): ConsentedSettings => ({
  enabled: state.settings.enabled,
  thresholdMicros: state.settings.thresholdMicros,
  amountMicros: state.settings.amountMicros,
  mode: state.settings.mode,
  targetMicros: state.settings.mode === "target" ? state.settings.targetMicros : null,
  monthlyLimitMicros: state.settings.monthlyLimitMicros,
  cardId: state.card?.id ?? null,
  backupCardId: state.backupCard?.id ?? null,
});

/** The consent sentence's terms, as the API writes amounts and cards. */
function consentTerms(state: WalletState, displayName: string): ConsentTerms {
  const s = state.settings;
  return {
    displayName,
    card: state.card ? cardLabel(state.card) : "your card",
    mode: s.mode,
    amount: formatCents(s.amountMicros),
    target: s.mode === "target" && s.targetMicros !== null ? formatCents(s.targetMicros) : null,
    threshold: formatCents(s.thresholdMicros),
    monthlyLimit: s.monthlyLimitMicros === null ? null : formatCents(s.monthlyLimitMicros),
    backupCard: state.backupCard ? cardLabel(state.backupCard) : null,
  };
}

/** What saving `patch` would charge now, and to which card; writes nothing. */
export async function previewSettings(
  tx: Tx,
  config: Config,
  accountId: string,
  patch: SettingsPatch,
  now: Date,
  displayName: string,
): Promise<{ state: WalletState; decision: PolicyDecision; card: CardRef | null; consentText: string | null }> {
  const state = await loadWalletState(tx, config.rates, accountId);
  if (!state) throw notFound("account");
  const { after } = await mergeSettings(tx, config, state, patch, now);
  const { decision, card } = await decide(tx, config, { ...after, settings: { ...after.settings, limitReached: null } }, { trigger: "threshold_sync" }, now);
  return { state: after, decision, card, consentText: consentTextFor(state, after, displayName) };
}
