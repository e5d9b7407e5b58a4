import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.js";
import type { Micros } from "../money/micros.js";

/**
 * Money taken back from a charge (DESIGN §6 Refunds and disputes): refunds and disputes of one
 * charge never take off the balance more than the charge added, so a refund of money a
 * dispute already took back (or the reverse) reverses nothing twice. One owner of that rule.
 */

/** What a reversal of `requestedMicros` takes when `roomMicros` of the charge is left to take. Pure. */
export function reversalOf(requestedMicros: Micros, roomMicros: Micros): Micros {
  if (roomMicros <= 0n) return 0n;
  return requestedMicros < roomMicros ? requestedMicros : roomMicros;
}

/**
 * What is left to take back from a charge: its amount, less what settled refunds took and
 * what open or lost disputes took (a dispute won gave its money back). The caller holds the
 * charge's row lock, so two reversals of one charge are decided one after the other.
 */
export async function reversalRoom(tx: Tx, rechargeId: string): Promise<Micros> {
  const [row] = await queryRows<{ room: bigint | string }>(
    tx,
    sql`select r.amount_micros
               - coalesce((select sum(coalesce(f.reversed_micros, f.amount_micros)) from refunds f where f.recharge_id = r.id and f.status = 'succeeded'), 0)
               - coalesce((select sum(d.reversed_micros) from disputes d where d.recharge_id = r.id and d.status in ('open', 'lost')), 0) as room
        from recharges r where r.id = ${rechargeId}`,
  );
  return BigInt(row?.room ?? 0);
}

/** A succeeded charge of ours, found by the provider's id for it (what its events name), or undefined. */
export async function findSucceededCharge(tx: Tx, providerChargeId: string): Promise<{ id: string; account_id: string; payment_method_id: string } | undefined> {
  const [charge] = await queryRows<{ id: string; account_id: string; payment_method_id: string }>(
    tx,
    sql`select id, account_id, payment_method_id from recharges where provider_charge_id = ${providerChargeId} and status = 'succeeded'`,
  );
  return charge;
}

/** Locks a charge's row: every reversal of it (refund requested or settled, dispute opened or closed) takes this lock first. */
export async function lockCharge(tx: Tx, rechargeId: string): Promise<void> {
  await tx.execute(sql`select 1 from recharges where id = ${rechargeId} for update`);
}
