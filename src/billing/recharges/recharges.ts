import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { arrayLiteral } from "../../db/array-literal.js";
import { queryRows, type Tx } from "../../db/database.js";
import { createdBefore, microsOf, pageOf, type CreatedKey } from "../../db/keyset.js";
import { paymentMethods, recharges } from "../../db/schema.js";
import { newId } from "../../ids/prefixed-id.js";
import type { Micros } from "../../money/micros.js";

export type RechargeTrigger = "auto" | "threshold_sync" | "manual" | "retry" | "backup";
export type RechargeStatus = "pending" | "processing" | "succeeded" | "failed";

export interface Recharge {
  id: string;
  accountId: string;
  trigger: RechargeTrigger;
  amountMicros: Micros;
  paymentMethodId: string;
  status: RechargeStatus;
  attempts: number;
  failureCode: string | null;
  failureMessage: string | null;
  /** A backup recharge: the automatic one declined on the primary card that it follows. */
  backupFor: string | null;
  /** A payment the customer confirms on the page (Stripe top-ups): the worker never charges it, and closes it after this. */
  confirmBy: string | null;
  createdAt: string;
  settledAt: string | null;
}

/** The card a recharge charged, as a person names it; kept after the card is removed. */
export interface ChargedCard {
  brand: string;
  last4: string;
}

export function rechargeFromRow(row: typeof recharges.$inferSelect): Recharge {
  return {
    id: row.id,
    accountId: row.accountId,
    trigger: row.trigger,
    amountMicros: row.amountMicros,
    paymentMethodId: row.paymentMethodId,
    status: row.status,
    attempts: row.attempts,
    failureCode: row.failureCode,
    failureMessage: row.failureMessage,
    backupFor: row.backupFor,
    confirmBy: row.confirmBy === null ? null : row.confirmBy.toISOString(),
    createdAt: row.createdAt.toISOString(),
    settledAt: row.settledAt === null ? null : row.settledAt.toISOString(),
  };
}

/**
 * Creates a pending recharge in the caller's transaction. The partial unique index allows
 * one in flight per account, so a concurrent second one is simply not created: undefined.
 */
export async function insertRecharge(
  tx: Tx,
  input: { accountId: string; trigger: RechargeTrigger; amountMicros: Micros; paymentMethodId: string; backupFor?: string | null; confirmWithinMs?: number | null },
): Promise<Recharge | undefined> {
  const [row] = await tx
    .insert(recharges)
    .values({
      id: newId("rch"),
      accountId: input.accountId,
      trigger: input.trigger,
      amountMicros: input.amountMicros,
      paymentMethodId: input.paymentMethodId,
      status: "pending",
      backupFor: input.backupFor ?? null,
      // On-session: the worker does not charge it; it looks at it when the customer's time is up.
      ...(input.confirmWithinMs
        ? { confirmBy: sql`now() + make_interval(secs => ${input.confirmWithinMs / 1000})`, nextAttemptAt: sql`now() + make_interval(secs => ${input.confirmWithinMs / 1000})` }
        : {}),
    })
    .onConflictDoNothing()
    .returning();
  return row ? rechargeFromRow(row) : undefined;
}

/** Automatic charges (not manual) of an account: how many in the last 24 h, and this UTC month's sum. */
export async function automaticChargeTotals(tx: Tx, accountId: string): Promise<{ last24h: number; monthMicros: Micros }> {
  const [row] = await queryRows<{ last24h: bigint; month_micros: bigint }>(
    tx,
    sql`select count(*) filter (where created_at > now() - interval '24 hours') as last24h,
               coalesce(sum(amount_micros) filter (
                 where created_at >= (date_trunc('month', now() at time zone 'UTC') at time zone 'UTC')
                   and status <> 'failed'), 0)::bigint as month_micros
        from recharges
        where account_id = ${accountId} and trigger <> 'manual'
          and created_at >= least(now() - interval '24 hours', date_trunc('month', now() at time zone 'UTC') at time zone 'UTC')`,
  );
  return { last24h: Number(row?.last24h ?? 0n), monthMicros: BigInt(row?.month_micros ?? 0n) };
}

export async function listRecharges(
  tx: Tx,
  accountId: string,
  limit: number,
  after: CreatedKey | undefined,
): Promise<{ recharges: Array<{ recharge: Recharge; card: ChargedCard | null; refundedMicros: Micros }>; next: CreatedKey | undefined }> {
  const rows = await tx
    .select({
      recharge: recharges,
      createdMicros: microsOf(recharges.createdAt).mapWith(BigInt),
      brand: paymentMethods.brand,
      last4: paymentMethods.last4,
      refundedMicros: sql`(select coalesce(sum(f.amount_micros), 0) from refunds f where f.recharge_id = ${recharges.id} and f.status = 'succeeded')`.mapWith(BigInt),
    })
    .from(recharges)
    .leftJoin(paymentMethods, eq(paymentMethods.id, recharges.paymentMethodId))
    .where(and(eq(recharges.accountId, accountId), createdBefore(recharges.createdAt, recharges.id, after)))
    .orderBy(desc(recharges.createdAt), desc(recharges.id))
    .limit(limit + 1);
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: last.createdMicros, id: last.recharge.id }));
  return {
    recharges: page.map((r) => ({
      recharge: rechargeFromRow(r.recharge),
      card: r.brand === null || r.last4 === null ? null : { brand: r.brand, last4: r.last4 },
      refundedMicros: r.refundedMicros,
    })),
    next,
  };
}

/** The card a recharge charges (removed cards included: a recharge's history outlives its card). */
export async function chargedCard(tx: Tx, recharge: Pick<Recharge, "paymentMethodId">): Promise<ChargedCard | null> {
  const [card] = await tx.select({ brand: paymentMethods.brand, last4: paymentMethods.last4 }).from(paymentMethods).where(eq(paymentMethods.id, recharge.paymentMethodId));
  return card ?? null;
}

/** The provider's id of the card a recharge charges, while it is saved (null once removed). */
export async function chargedCardRef(tx: Tx, recharge: Pick<Recharge, "paymentMethodId">): Promise<string | null> {
  const [card] = await tx
    .select({ providerRef: paymentMethods.providerRef })
    .from(paymentMethods)
    .where(and(eq(paymentMethods.id, recharge.paymentMethodId), isNull(paymentMethods.deletedAt)));
  return card?.providerRef ?? null;
}

/** What the provider's confirmed refunds of a recharge gave back so far. */
export async function refundedOf(tx: Tx, rechargeId: string): Promise<Micros> {
  const [row] = await queryRows<{ micros: bigint }>(tx, sql`select coalesce(sum(amount_micros), 0)::bigint as micros from refunds where recharge_id = ${rechargeId} and status = 'succeeded'`);
  return BigInt(row?.micros ?? 0n);
}

export async function findRecharge(tx: Tx, id: string): Promise<Recharge | undefined> {
  const [row] = await tx.select().from(recharges).where(eq(recharges.id, id));
  return row ? rechargeFromRow(row) : undefined;
}

/**
 * The recharge in flight of each account that has one, by account. Read after the wallets'
 * locks are taken: a settlement commits its recharge's status and its credit under the same
 * lock, so this never counts a charge both in flight and in the balance.
 */
export async function inFlightAmounts(tx: Tx, accountIds: readonly string[]): Promise<Map<string, Micros>> {
  if (accountIds.length === 0) return new Map();
  const rows = await queryRows<{ account_id: string; amount_micros: bigint }>(
    tx,
    sql`select account_id, amount_micros from recharges
        where account_id = any(${arrayLiteral(accountIds)}::text[]) and status in ('pending', 'processing')`,
  );
  return new Map(rows.map((r) => [r.account_id, BigInt(r.amount_micros)]));
}
