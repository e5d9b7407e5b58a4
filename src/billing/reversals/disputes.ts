import { and, eq, sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { queryRows, type Tx } from "../../db/database.js";
import { disputes } from "../../db/schema.js";
import { newId } from "../../ids/prefixed-id.js";
import { postEntry } from "../../ledger/ledger.js";
import { logMoneyEvent } from "../../logging/money-events.js";
import { formatMicros, type Micros } from "../../money/micros.js";
import { notify } from "../../notifications/notify.js";
import { afterBalanceChange } from "../recharges/auto-recharge.js";
import { chargedCard } from "../recharges/recharges.js";
import { DEFAULT_SETTINGS } from "../status/wallet-state.js";
import { disputeGiveBack, findSucceededCharge, lockCharge, reversalOf, reversalRoom, unreturnedRefunds } from "./reversals.js";

/** What Auto-Recharge says while a dispute is open: the card it charged is not charged again automatically. */
export const DISPUTED_MESSAGE = "A payment on this card is disputed with the bank; Auto-Recharge does not charge it until the dispute is closed. Add another card to keep Auto-Recharge on.";

/**
 * A dispute (chargeback) the provider opened on one of our charges (docs/concepts.md), in the
 * caller's transaction, once per provider dispute: what it takes off the balance (the
 * disputed amount, or less when refunds took that money already) as one `dispute` entry, and
 * Auto-Recharge `failing` with code `disputed` on the charged card, so that card is not charged
 * automatically while it is open; the balance rules run without an automatic charge (the pause
 * rule applies). Returns what it did.
 */
export async function openDispute(tx: Tx, config: Config, chargeId: string, providerDisputeId: string, amountMicros: Micros): Promise<string> {
  const charge = await findSucceededCharge(tx, chargeId);
  if (!charge) return "ignored: not a prepaid charge";
  await lockCharge(tx, charge.id);
  const reversed = reversalOf(amountMicros, await reversalRoom(tx, charge.id));
  const [dispute] = await tx
    .insert(disputes)
    .values({ id: newId("dsp"), accountId: charge.account_id, rechargeId: charge.id, providerDisputeId, amountMicros, reversedMicros: reversed })
    .onConflictDoNothing()
    .returning();
  if (!dispute) return "ignored: dispute known already";
  // Lock order of every money path: the charge, then the wallet, then the settings.
  const before = await lockWallet(tx, charge.account_id);
  if (reversed > 0n) {
    await postEntry(tx, { accountId: charge.account_id, type: "dispute", amountMicros: -reversed, entryKey: `dispute:${dispute.id}`, rechargeId: charge.id, reason: "disputed by the card holder" });
  }
  const card = await chargedCard(tx, { paymentMethodId: charge.payment_method_id });
  // Upserted: an account that never saved settings gets them (off, the defaults) marked failing,
  // so turning Auto-Recharge on later cannot charge the disputed card (the policy also reads
  // the open disputes themselves: wallet-state's disputedCardIds).
  await tx.execute(
    sql`insert into auto_recharge_settings (account_id, threshold_micros, amount_micros, failing, failing_payment_method_id, failure_code, failure_message)
        values (${charge.account_id}, ${DEFAULT_SETTINGS.thresholdMicros}, ${DEFAULT_SETTINGS.amountMicros}, true, ${charge.payment_method_id}, 'disputed', ${DISPUTED_MESSAGE})
        on conflict (account_id) do update
          set failing = true, failing_payment_method_id = excluded.failing_payment_method_id, failure_code = 'disputed',
              failure_message = excluded.failure_message, updated_at = now()`,
  );
  const { state } = await afterBalanceChange(tx, config, charge.account_id, before, new Date(), { automaticCharge: false });
  await notify(tx, {
    accountId: charge.account_id,
    agencyId: state.agencyId,
    event: { type: "dispute.opened", disputeId: dispute.id, rechargeId: charge.id, amountMicros, reversedMicros: reversed, balanceMicros: state.balanceMicros, card },
  });
  logMoneyEvent(tx, "dispute.opened", { dispute_id: dispute.id, recharge_id: charge.id, account_id: charge.account_id, amount: formatMicros(amountMicros), reversed: formatMicros(reversed) });
  return `settled: dispute opened, ${formatMicros(reversed)} taken back`;
}

/**
 * A dispute closed (docs/concepts.md), once: won gives back, once, what it took less what refunds
 * settled meanwhile already returned to the card (`dispute_won:` key, `returned_micros`);
 * lost keeps it. Either way it is no longer open: Auto-Recharge stops failing for it when no
 * other dispute of the account is open, and the balance rules run without an automatic charge.
 */
export async function closeDispute(tx: Tx, config: Config, providerDisputeId: string, outcome: "won" | "lost"): Promise<string> {
  const [open] = await tx.select().from(disputes).where(and(eq(disputes.providerDisputeId, providerDisputeId), eq(disputes.status, "open")));
  if (!open) return "ignored: no open dispute";
  await lockCharge(tx, open.rechargeId);
  const returned = outcome === "won" ? disputeGiveBack(open.reversedMicros, await unreturnedRefunds(tx, open.rechargeId)) : 0n;
  const closed = await tx
    .update(disputes)
    .set({ status: outcome, closedAt: sql`now()`, returnedMicros: outcome === "won" ? returned : null })
    .where(and(eq(disputes.id, open.id), eq(disputes.status, "open")))
    .returning({ id: disputes.id });
  if (closed.length === 0) return "ignored: no open dispute";
  const before = await lockWallet(tx, open.accountId);
  if (returned > 0n) {
    await postEntry(tx, { accountId: open.accountId, type: "dispute", amountMicros: returned, entryKey: `dispute_won:${open.id}`, rechargeId: open.rechargeId, reason: "dispute won" });
  }
  await tx.execute(
    sql`update auto_recharge_settings
        set failing = false, failing_payment_method_id = null, failure_code = null, failure_message = null, updated_at = now()
        where account_id = ${open.accountId} and failure_code = 'disputed'
          and not exists (select 1 from disputes d where d.account_id = ${open.accountId} and d.status = 'open')`,
  );
  const { state } = await afterBalanceChange(tx, config, open.accountId, before, new Date(), { automaticCharge: false });
  await notify(tx, {
    accountId: open.accountId,
    agencyId: state.agencyId,
    event: { type: "dispute.closed", disputeId: open.id, rechargeId: open.rechargeId, outcome, reversedMicros: open.reversedMicros, returnedMicros: returned, balanceMicros: state.balanceMicros },
  });
  logMoneyEvent(tx, outcome === "won" ? "dispute.won" : "dispute.lost", {
    dispute_id: open.id,
    recharge_id: open.rechargeId,
    account_id: open.accountId,
    reversed: formatMicros(open.reversedMicros),
    returned: formatMicros(returned),
  });
  return `settled: dispute ${outcome}${outcome === "won" ? `, ${formatMicros(returned)} given back` : ""}`;
}

/** Locks the wallet and returns its balance before this change. */
async function lockWallet(tx: Tx, accountId: string): Promise<Micros> {
  const [row] = await queryRows<{ balance_micros: bigint }>(tx, sql`select balance_micros from wallets where account_id = ${accountId} for update`);
  return BigInt(row!.balance_micros);
}
