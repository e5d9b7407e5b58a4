import { and, desc, eq, sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { queryRows, type Tx } from "../../db/database.js";
import { createdBefore, microsOf, pageOf, type CreatedKey } from "../../db/keyset.js";
import { refunds } from "../../db/schema.js";
import { AppError, invalidField, notFound } from "../../errors/app-error.js";
import { newId } from "../../ids/prefixed-id.js";
import { postEntry } from "../../ledger/ledger.js";
import { logMoneyEvent } from "../../logging/money-events.js";
import { formatMicros, type Micros } from "../../money/micros.js";
import type { ProviderRefund, RefundOutcome } from "../../payments/gateway.js";
import { notify } from "../../notifications/notify.js";
import { afterBalanceChange } from "../recharges/auto-recharge.js";
import { findSucceededCharge, hasOpenOrLostDispute, lockCharge, reversalOf, reversalRoom } from "./reversals.js";

export type RefundStatus = "pending" | "succeeded" | "failed";

export interface Refund {
  id: string;
  accountId: string;
  rechargeId: string;
  amountMicros: Micros;
  reason: string;
  status: RefundStatus;
  providerRefundId: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: string;
  settledAt: string | null;
}

const refundFromRow = (r: typeof refunds.$inferSelect): Refund => ({
  id: r.id,
  accountId: r.accountId,
  rechargeId: r.rechargeId,
  amountMicros: r.amountMicros,
  reason: r.reason,
  status: r.status,
  providerRefundId: r.providerRefundId,
  failureCode: r.failureCode,
  failureMessage: r.failureMessage,
  createdAt: r.createdAt.toISOString(),
  settledAt: r.settledAt === null ? null : r.settledAt.toISOString(),
});

/**
 * An operator's refund of a succeeded charge (docs/concepts.md): checked and recorded `pending`; the
 * refund worker asks the provider and settles it. The charge's row is locked, so two refunds
 * of one charge are checked one after the other and never add up to more than it: what is
 * pending counts as refunded. Without an amount, the rest of the charge is refunded.
 */
export async function requestRefund(tx: Tx, accountId: string, rechargeId: string, amountMicros: Micros | undefined, reason: string): Promise<Refund> {
  const [charge] = await queryRows<{ amount_micros: bigint; status: string }>(
    tx,
    sql`select amount_micros, status from recharges where id = ${rechargeId} and account_id = ${accountId} for update`,
  );
  if (!charge) throw notFound("recharge");
  if (charge.status !== "succeeded") throw new AppError("invalid_request", `only a succeeded charge can be refunded; this one is ${charge.status}`);
  const disputed = await hasOpenOrLostDispute(tx, rechargeId);
  if (disputed) {
    // As Stripe refuses it (charge_disputed): the bank holds that money now; a lost dispute
    // already returned it to the card holder, and an open one will decide where it goes.
    throw new AppError("invalid_request", `this charge is disputed (the dispute is ${disputed}): the bank decides where its money goes, so it cannot be refunded`);
  }
  const left = await refundableLeft(tx, rechargeId);
  if (left <= 0n) throw new AppError("invalid_request", "this charge is refunded in full already");
  if (amountMicros !== undefined && amountMicros <= 0n) throw invalidField("amount", "must be more than 0.00");
  const amount = amountMicros ?? left;
  if (amount > left) throw invalidField("amount", `at most ${formatMicros(left)} is left to refund on this charge`);
  const [row] = await tx.insert(refunds).values({ id: newId("rfd"), accountId, rechargeId, amountMicros: amount, reason }).returning();
  return refundFromRow(row!);
}

/**
 * Settles what the provider said of a refund, in the caller's transaction; false when it was
 * settled already. Succeeded: one `refund` entry, keyed by the provider's refund id (so any
 * other path that learns of the same refund posts nothing more), and the balance rules
 * without an automatic charge — a refund never tops the wallet up, though balance alerts and
 * the pause rule apply. Failed: recorded with the provider's reason. Unknown is never settled.
 */
export async function settleRefund(tx: Tx, config: Config, refundId: string, outcome: Exclude<RefundOutcome, { status: "unknown" }>): Promise<boolean> {
  // The charge first, then the refund: the lock order of every reversal of a charge.
  const [found] = await tx.select({ rechargeId: refunds.rechargeId }).from(refunds).where(eq(refunds.id, refundId));
  if (!found) return false;
  await lockCharge(tx, found.rechargeId);
  const [open] = await tx.select().from(refunds).where(and(eq(refunds.id, refundId), eq(refunds.status, "pending"))).for("update");
  if (!open) return false;
  const refund = refundFromRow(open);
  if (outcome.status === "failed") {
    await tx.update(refunds).set({ status: "failed", failureCode: outcome.code, failureMessage: outcome.message, settledAt: sql`now()` }).where(eq(refunds.id, refundId));
    logMoneyEvent(tx, "refund.failed", { refund_id: refund.id, recharge_id: refund.rechargeId, account_id: refund.accountId, amount: formatMicros(refund.amountMicros), failure_code: outcome.code });
    return true;
  }
  // What it takes off the balance: its amount, or less when a dispute took that money already.
  const reversed = reversalOf(refund.amountMicros, await reversalRoom(tx, refund.rechargeId));
  await tx
    .update(refunds)
    .set({ status: "succeeded", providerRefundId: outcome.refundId, reversedMicros: reversed, settledAt: sql`now()` })
    .where(eq(refunds.id, refundId));
  const posted =
    reversed > 0n
      ? await postEntry(tx, { accountId: refund.accountId, type: "refund", amountMicros: -reversed, entryKey: `refund:${outcome.refundId}`, rechargeId: refund.rechargeId, reason: refund.reason })
      : undefined;
  const entry = posted?.entry;
  if (posted?.applied && entry) {
    const { state } = await afterBalanceChange(tx, config, refund.accountId, entry.balanceAfterMicros + reversed, new Date(), { automaticCharge: false });
    await notify(tx, {
      accountId: refund.accountId,
      agencyId: state.agencyId,
      event: { type: "refund.succeeded", refundId: refund.id, rechargeId: refund.rechargeId, amountMicros: reversed, balanceMicros: entry.balanceAfterMicros, reason: refund.reason },
    });
  }
  logMoneyEvent(tx, "refund.succeeded", {
    refund_id: refund.id,
    recharge_id: refund.rechargeId,
    account_id: refund.accountId,
    amount: formatMicros(refund.amountMicros),
    reversed: formatMicros(reversed),
    balance: entry ? formatMicros(entry.balanceAfterMicros) : null,
  });
  return true;
}

/**
 * Refunds the provider reports of one of our charges (docs/concepts.md): ours, named in their
 * metadata, or made in the provider's dashboard. Each is settled once whichever path learns of
 * it first — the worker's answer or this event, in any order and replayed: ours settles our
 * pending refund; one we did not ask for is recorded as a refund of the charge and settled
 * the same way; a known one changes nothing (its entry is keyed by the provider's refund id).
 * A refund we did not ask for is recorded for at most what is left of the charge (refunds
 * pending or settled count): a provider's list that adds up to more than the charge is not
 * money we can have given back, so the excess is flagged for an operator, not recorded.
 */
export async function settleProviderRefunds(tx: Tx, config: Config, chargeId: string, reported: readonly ProviderRefund[]): Promise<string> {
  const charge = await findSucceededCharge(tx, chargeId);
  if (!charge) return "ignored: not a prepaid charge";
  // The charge's lock before any refund's (settleRefund's order), so what is left is decided one event at a time.
  await lockCharge(tx, charge.id);
  let settled = 0;
  const flagged: string[] = [];
  for (const refund of reported) {
    const [known] = await queryRows<{ id: string; status: RefundStatus }>(
      tx,
      sql`select id, status from refunds
          where recharge_id = ${charge.id} and (provider_refund_id = ${refund.refundId} or (id = ${refund.ourRefundId ?? ""} and status = 'pending'))
          order by (provider_refund_id = ${refund.refundId}) desc nulls last limit 1`,
    );
    if (known?.status === "succeeded") continue;
    let id = known?.status === "pending" ? known.id : undefined;
    if (!id) {
      // Made at the provider (or a refund of ours we had settled as failed): the money left all the same.
      const left = await refundableLeft(tx, charge.id);
      const recorded = refund.amountMicros < left ? refund.amountMicros : left;
      if (recorded < refund.amountMicros) {
        flagged.push(refund.refundId);
        logMoneyEvent(tx, "provider_event.flagged", {
          reason: "refund_exceeds_charge",
          recharge_id: charge.id,
          account_id: charge.account_id,
          provider_refund_id: refund.refundId,
          reported: formatMicros(refund.amountMicros),
          recorded: formatMicros(recorded > 0n ? recorded : 0n),
        });
      }
      if (recorded <= 0n) continue;
      const [row] = await tx
        .insert(refunds)
        .values({ id: newId("rfd"), accountId: charge.account_id, rechargeId: charge.id, amountMicros: recorded, reason: "refunded at the payment provider", providerRefundId: refund.refundId })
        .onConflictDoNothing()
        .returning({ id: refunds.id });
      if (!row) continue;
      id = row.id;
    }
    if (await settleRefund(tx, config, id, { status: "succeeded", refundId: refund.refundId })) settled += 1;
  }
  const flags = flagged.length > 0 ? `; flagged: ${flagged.join(", ")} beyond what is left of the charge` : "";
  return settled > 0 ? `settled: ${settled} refund(s)${flags}` : `ignored: every refund settled already${flags}`;
}

/** What is left of a charge to refund: its amount less the refunds pending or settled (the caller holds the charge's lock). */
async function refundableLeft(tx: Tx, rechargeId: string): Promise<Micros> {
  const [row] = await queryRows<{ left: bigint | string }>(
    tx,
    sql`select r.amount_micros - coalesce((select sum(f.amount_micros) from refunds f where f.recharge_id = r.id and f.status in ('pending', 'succeeded')), 0) as left
        from recharges r where r.id = ${rechargeId}`,
  );
  return BigInt(row?.left ?? 0);
}

/** An account's refunds, newest first, paged like its recharges. */
export async function listRefunds(tx: Tx, accountId: string, limit: number, after: CreatedKey | undefined): Promise<{ refunds: Refund[]; next: CreatedKey | undefined }> {
  const rows = await tx
    .select({ refund: refunds, createdMicros: microsOf(refunds.createdAt).mapWith(BigInt) })
    .from(refunds)
    .where(and(eq(refunds.accountId, accountId), createdBefore(refunds.createdAt, refunds.id, after)))
    .orderBy(desc(refunds.createdAt), desc(refunds.id))
    .limit(limit + 1);
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: last.createdMicros, id: last.refund.id }));
  return { refunds: page.map((r) => refundFromRow(r.refund)), next };
}
