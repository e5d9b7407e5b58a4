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
  /** false for a refund: money given back never starts an automatic charge (docs/concepts.md); the next debit may. */
  options: { automaticCharge: boolean } = { automaticCharge: true },
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
  await reconcileStatus(tx, state);
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
): Promise<{ before: WalletState; state: WalletState; triggered: Recharge | null }> {
  const state = await loadWalletState(tx, config.rates, accountId, { lock: true });
  if (!state) throw notFound("account");
  const { merged, after } = await mergeSettings(tx, config, state, patch, now);
  await tx.execute(
    sql`insert into auto_recharge_settings (account_id, enabled, threshold_micros, amount_micros, mode, target_micros, monthly_limit_micros, payment_method_id)
        values (${accountId}, ${merged.enabled}, ${merged.thresholdMicros}, ${merged.amountMicros}, ${merged.mode}, ${merged.targetMicros}, ${merged.monthlyLimitMicros}, ${merged.paymentMethodId})
        on conflict (account_id) do update set
          enabled = excluded.enabled, threshold_micros = excluded.threshold_micros, amount_micros = excluded.amount_micros,
          mode = excluded.mode, target_micros = excluded.target_micros,
          monthly_limit_micros = excluded.monthly_limit_micros, payment_method_id = excluded.payment_method_id,
          disabled_at = case when excluded.enabled then null
                             when auto_recharge_settings.enabled then now()
                             else auto_recharge_settings.disabled_at end,
          -- new settings get a fresh look at the limits
          limit_reached = null, updated_at = now()`,
  );
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
  return { before: state, state: final!, triggered: recharge };
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
  const { decision, card } = await decide(tx, config, { ...after, settings: { ...after.settings, limitReached: null } }, { trigger: "threshold_sync" }, now);
  return { state: after, decision, card };
}
