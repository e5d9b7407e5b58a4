import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { newId } from "../ids/prefixed-id.js";
import type { Micros } from "../money/micros.js";
import { byCreated, microsOf, pageOf, type CreatedKey } from "../db/keyset.js";

export type RechargeTrigger = "auto" | "threshold_sync" | "manual" | "retry";
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
  createdAt: string;
  settledAt: string | null;
}

export interface RechargeRow {
  id: string;
  account_id: string;
  trigger: RechargeTrigger;
  amount_micros: bigint;
  payment_method_id: string;
  status: RechargeStatus;
  attempts: number;
  failure_code: string | null;
  failure_message: string | null;
  created_at: unknown;
  settled_at: unknown;
}

export function rechargeFromRow(row: RechargeRow): Recharge {
  return {
    id: row.id,
    accountId: row.account_id,
    trigger: row.trigger,
    amountMicros: BigInt(row.amount_micros),
    paymentMethodId: row.payment_method_id,
    status: row.status,
    attempts: Number(row.attempts),
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: toIso(row.created_at),
    settledAt: row.settled_at === null ? null : toIso(row.settled_at),
  };
}

/**
 * Creates a pending recharge in the caller's transaction. The partial unique index allows
 * one in flight per account, so a concurrent second one is simply not created: undefined.
 */
export async function insertRecharge(
  tx: Tx,
  input: { accountId: string; trigger: RechargeTrigger; amountMicros: Micros; paymentMethodId: string },
): Promise<Recharge | undefined> {
  const [row] = await queryRows<RechargeRow>(
    tx,
    sql`insert into recharges (id, account_id, trigger, amount_micros, payment_method_id, status)
        values (${newId("rch")}, ${input.accountId}, ${input.trigger}, ${input.amountMicros}, ${input.paymentMethodId}, 'pending')
        on conflict do nothing
        returning *`,
  );
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
): Promise<{ recharges: Recharge[]; next: CreatedKey | undefined }> {
  const rows = await queryRows<RechargeRow & { created_micros: bigint }>(
    tx,
    sql`select *, ${microsOf(sql`created_at`)} as created_micros from recharges
        where account_id = ${accountId} ${byCreated(sql`created_at`, sql`id`, after, limit)}`,
  );
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: BigInt(last.created_micros), id: last.id }));
  return { recharges: page.map(rechargeFromRow), next };
}

export async function findRecharge(tx: Tx, id: string): Promise<Recharge | undefined> {
  const [row] = await queryRows<RechargeRow>(tx, sql`select * from recharges where id = ${id}`);
  return row ? rechargeFromRow(row) : undefined;
}
