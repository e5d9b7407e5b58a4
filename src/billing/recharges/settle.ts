import { and, eq, inArray, sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { queryRows, type Tx } from "../../db/database.js";
import { recharges } from "../../db/schema.js";
import { postEntry } from "../../ledger/ledger.js";
import { logMoneyEvent } from "../../logging/money-events.js";
import { formatMicros } from "../../money/micros.js";
import { notify } from "../../notifications/notify.js";
import { failureAdvice, marksCardFailing } from "../../payments/decline.js";
import { afterBalanceChange } from "./auto-recharge.js";
import { chargedCard, rechargeFromRow, type ChargedCard, type Recharge } from "./recharges.js";
import { startRecharge } from "./start-recharge.js";
import { isExpired } from "../../payments/card-number.js";
import { loadWalletState } from "../status/wallet-state.js";
import { assert } from "../../errors/assert.js";
import { issueReceipt } from "../../receipts/receipts.js";

/**
 * Who settles a recharge: the worker, on the attempt it claimed — another worker that took
 * over after its lease expired has bumped `attempts` and settles it instead — or the
 * provider's own word — a Stripe webhook, or a look-up the page asked for once the customer
 * confirmed a payment — which settles whatever is still open.
 */
export type Settler = { attempt: number } | "provider_event" | "lookup";

/**
 * Locks the recharge if `by` may settle it to `to`. The provider saying a charge succeeded
 * also reopens a failed recharge: the money was taken (say the user confirmed an
 * authentication later), so the wallet must get it.
 */
async function lockSettleable(tx: Tx, rechargeId: string, by: Settler, to: "succeeded" | "failed"): Promise<Recharge | undefined> {
  const settleable =
    typeof by === "string"
      ? inArray(recharges.status, to === "succeeded" ? ["pending", "processing", "failed"] : ["pending", "processing"])
      : and(eq(recharges.status, "processing"), eq(recharges.attempts, by.attempt));
  const [row] = await tx.select().from(recharges).where(and(eq(recharges.id, rechargeId), settleable)).for("update");
  return row ? rechargeFromRow(row) : undefined;
}

/**
 * A charge succeeded: credit the wallet exactly once (the entry key is the recharge id),
 * close the recharge, clear a failing Auto-Recharge, send the receipt (numbered, last), and unpause.
 * Lock order: the recharge, then the wallet (postEntry), then the recharge is updated.
 */
export async function settleSucceeded(tx: Tx, config: Config, rechargeId: string, by: Settler, chargeId: string): Promise<boolean> {
  const recharge = await lockSettleable(tx, rechargeId, by, "succeeded");
  if (!recharge) return false;
  const { entry } = await postEntry(tx, {
    accountId: recharge.accountId,
    type: "recharge",
    amountMicros: recharge.amountMicros,
    entryKey: `recharge:${recharge.id}`,
    rechargeId: recharge.id,
    reason: `${recharge.trigger} recharge`,
  });
  await tx.execute(
    sql`update recharges set status = 'succeeded', provider_charge_id = ${chargeId}, failure_code = null, failure_message = null,
          settled_at = now(), updated_at = now(), lease_expires_at = null
        where id = ${recharge.id}`,
  );
  await tx.execute(
    sql`update auto_recharge_settings
        set failing = false, failing_payment_method_id = null, failure_code = null, failure_message = null, updated_at = now()
        where account_id = ${recharge.accountId} and failing`,
  );
  const { state } = await afterBalanceChange(tx, config, recharge.accountId, entry.balanceAfterMicros - recharge.amountMicros, new Date());
  logMoneyEvent(tx, "recharge.succeeded", {
    recharge_id: recharge.id,
    account_id: recharge.accountId,
    trigger: recharge.trigger,
    amount: formatMicros(recharge.amountMicros),
    balance: formatMicros(entry.balanceAfterMicros),
    settled_by: typeof by === "string" ? by : `worker attempt ${by.attempt}`,
  });
  const primary = recharge.trigger === "backup" && recharge.backupFor ? await declinedPrimary(tx, recharge.backupFor) : null;
  await notify(tx, {
    accountId: recharge.accountId,
    agencyId: state.agencyId,
    event: {
      afterDecline: primary?.declined ?? null,
      type: "recharge.succeeded",
      rechargeId: recharge.id,
      trigger: recharge.trigger,
      amountMicros: recharge.amountMicros,
      balanceMicros: entry.balanceAfterMicros,
      ratePerMinuteMicros: state.ratePerMinuteMicros,
      paymentMethodId: recharge.paymentMethodId,
      card: await chargedCard(tx, recharge),
    },
  });
  // Last: the receipt's number is taken under the operator's counter lock, held to the commit.
  await issueReceipt(tx, config.operatorName, recharge.id);
  return true;
}

/**
 * A charge failed for good (a hard decline, or a soft failure out of retries): close the
 * recharge, mark Auto-Recharge failing on that card (automatic charges only), tell the user
 * why and what to do, and pause the account if its balance no longer covers a minute.
 */
export async function settleFailed(tx: Tx, config: Config, rechargeId: string, by: Settler, code: string, providerMessage: string): Promise<boolean> {
  const recharge = await lockSettleable(tx, rechargeId, by, "failed");
  if (!recharge) return false;
  const before = await loadWalletState(tx, config.rates, recharge.accountId, { lock: true });
  assert(before, "a recharge's account has a wallet");
  const advice = failureAdvice(code);
  await tx.execute(
    sql`update recharges set status = 'failed', failure_code = ${code}, failure_message = ${advice.message},
          settled_at = now(), updated_at = now(), lease_expires_at = null
        where id = ${recharge.id}`,
  );
  logMoneyEvent(tx, "recharge.failed", {
    recharge_id: recharge.id,
    account_id: recharge.accountId,
    trigger: recharge.trigger,
    amount: formatMicros(recharge.amountMicros),
    failure_code: code,
    settled_by: typeof by === "string" ? by : `worker attempt ${by.attempt}`,
  });
  const hard = recharge.trigger !== "manual" && before.settings.enabled && marksCardFailing(code);
  // A hard decline of an automatic charge on the primary card: the backup card is charged the
  // same amount once, at once; the user hears both outcomes in one notice, when it settles.
  if (hard && recharge.trigger !== "backup" && (await startBackup(tx, config, recharge, now()))) return true;
  // The backup failed too: Auto-Recharge is failing on the card it uses (the primary's).
  const primary = recharge.trigger === "backup" && recharge.backupFor ? await declinedPrimary(tx, recharge.backupFor) : null;
  if (hard) {
    await tx.execute(
      sql`update auto_recharge_settings
          set failing = true, failing_payment_method_id = ${primary?.paymentMethodId ?? recharge.paymentMethodId}, failure_code = ${code},
              failure_message = ${advice.message}, updated_at = now()
          where account_id = ${recharge.accountId}`,
    );
  }
  await notify(tx, {
    accountId: recharge.accountId,
    agencyId: before.agencyId,
    event: {
      type: "recharge.failed",
      rechargeId: recharge.id,
      trigger: recharge.trigger,
      amountMicros: recharge.amountMicros,
      paymentMethodId: recharge.paymentMethodId,
      card: await chargedCard(tx, recharge),
      failureCode: code,
      failureMessage: advice.message,
      nextStep: advice.nextStep,
      providerMessage,
      afterDecline: primary?.declined ?? null,
    },
  });
  // The balance is as it was, but nothing is in flight now: the rules look again (a removed
  // card's recharge gives way to one on the new default card; a failing card stays uncharged).
  const after = await loadWalletState(tx, config.rates, recharge.accountId);
  assert(after, "a recharge's account has a wallet");
  await afterBalanceChange(tx, config, after, after.balanceMicros, new Date());
  return true;
}

/**
 * The provider has not said what became of the charge (a timeout, a lost connection, still
 * processing): back to pending, to be looked up (same key) after `delayMs`. Never a failure.
 * `unresolved`: out of tries, so the reconciliation sweep keeps asking; the time it became so
 * is kept, and /metrics shows the oldest.
 */
export async function askLater(tx: Tx, rechargeId: string, attempt: number, code: string, delayMs: number, unresolved: boolean): Promise<boolean> {
  const rows = await queryRows(
    tx,
    sql`update recharges set status = 'pending', failure_code = ${code},
          failure_message = 'The provider has not confirmed this charge yet; it is being checked.',
          outcome_unknown_since = case when ${unresolved} then coalesce(outcome_unknown_since, now()) else outcome_unknown_since end,
          next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}), lease_expires_at = null, updated_at = now()
        where id = ${rechargeId} and status = 'processing' and attempts = ${attempt}
        returning id`,
  );
  return rows.length > 0;
}

/** A soft failure with retries left: back to pending, due after the next backoff delay, same key. */
export async function scheduleRetry(tx: Tx, rechargeId: string, attempt: number, code: string, delayMs: number): Promise<boolean> {
  const rows = await queryRows(
    tx,
    sql`update recharges set status = 'pending', failure_code = ${code}, failure_message = ${failureAdvice(code).message},
          soft_failures = soft_failures + 1, next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}), lease_expires_at = null, updated_at = now()
        where id = ${rechargeId} and status = 'processing' and attempts = ${attempt}
        returning id`,
  );
  return rows.length > 0;
}

/**
 * The backup card's charge after a hard decline on the primary (docs/concepts.md, Backup
 * card): started in the failed recharge's transaction, under its own key, when a backup
 * card is set, saved, not expired, not the card that failed and not under a dispute, and the
 * limits allow it. The primary's failure is not notified now: the backup's settlement tells both.
 * Returns whether it started.
 */
async function startBackup(tx: Tx, config: Config, failed: Recharge, now: Date): Promise<boolean> {
  const state = await loadWalletState(tx, config.rates, failed.accountId);
  assert(state, "a recharge's account has a wallet");
  const backup = state.backupCard;
  if (!backup || backup.id === failed.paymentMethodId || isExpired(backup.expMonth, backup.expYear, now)) return false;
  const { recharge } = await startRecharge(tx, config, state, { trigger: "backup", amountMicros: failed.amountMicros, backupFor: failed.id }, now, backup);
  return recharge !== null;
}

/** The primary charge a backup followed, as the backup's notice tells it. */
async function declinedPrimary(tx: Tx, rechargeId: string): Promise<{ paymentMethodId: string; declined: { card: ChargedCard | null; failureCode: string; failureMessage: string } } | null> {
  const [row] = await tx.select().from(recharges).where(eq(recharges.id, rechargeId));
  if (!row) return null;
  const primary = rechargeFromRow(row);
  return {
    paymentMethodId: primary.paymentMethodId,
    declined: { card: await chargedCard(tx, primary), failureCode: primary.failureCode ?? "card_declined", failureMessage: primary.failureMessage ?? "The card was declined." },
  };
}

const now = () => new Date();
