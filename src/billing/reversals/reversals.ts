import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/database.js";
import type { Micros } from "../../money/micros.js";

/**
 * Money taken back from a charge (docs/concepts.md Refunds and disputes): refunds and disputes of one
 * charge never take off the balance more than the charge added, so a refund of money a
 * dispute already took back (or the reverse) reverses nothing twice. One owner of that rule.
 */

/** What a reversal of `requestedMicros` takes when `roomMicros` of the charge is left to take. Pure. */
export function reversalOf(requestedMicros: Micros, roomMicros: Micros): Micros {
  if (roomMicros <= 0n) return 0n;
  return requestedMicros < roomMicros ? requestedMicros : roomMicros;
}

/**
 * What a dispute won gives back (pure): what it took, less the refunds that settled while it
 * held the money and so took nothing themselves (`unreturnedMicros`). Those refunds gave the
 * card holder money the dispute had already taken off the balance; once the bank returns the
 * disputed money to the operator, the balance keeps none of what the refunds paid out.
 * $50 disputed (balance −50), $20 refunded meanwhile (reverses 0), won: gives back 30, not 50.
 */
export function disputeGiveBack(reversedMicros: Micros, unreturnedMicros: Micros): Micros {
  if (unreturnedMicros <= 0n) return reversedMicros;
  return unreturnedMicros >= reversedMicros ? 0n : reversedMicros - unreturnedMicros;
}

/**
 * What is left to take back from a charge: its amount, less what settled refunds took, what
 * open or lost disputes took, and what won disputes kept (the part they did not give back,
 * standing for refunds that settled while they held the money). The caller holds the charge's
 * row lock, so two reversals of one charge are decided one after the other.
 */
export async function reversalRoom(tx: Tx, rechargeId: string): Promise<Micros> {
  const [row] = await queryRows<{ room: bigint | string }>(
    tx,
    sql`select r.amount_micros
               - coalesce((select sum(coalesce(f.reversed_micros, f.amount_micros)) from refunds f where f.recharge_id = r.id and f.status = 'succeeded'), 0)
               - coalesce((select sum(case when d.status = 'won' then d.reversed_micros - coalesce(d.returned_micros, d.reversed_micros) else d.reversed_micros end)
                           from disputes d where d.recharge_id = r.id), 0) as room
        from recharges r where r.id = ${rechargeId}`,
  );
  return BigInt(row?.room ?? 0);
}

/**
 * What refunds of a charge paid the card holder without taking it off the balance (they
 * settled while a dispute held that money), less what won disputes already kept back for
 * them: what the next dispute won must not give back. The caller holds the charge's lock.
 */
export async function unreturnedRefunds(tx: Tx, rechargeId: string): Promise<Micros> {
  const [row] = await queryRows<{ unreturned: bigint | string }>(
    tx,
    sql`select coalesce((select sum(f.amount_micros - coalesce(f.reversed_micros, f.amount_micros)) from refunds f
                         where f.recharge_id = ${rechargeId} and f.status = 'succeeded'), 0)
             - coalesce((select sum(d.reversed_micros - d.returned_micros) from disputes d
                         where d.recharge_id = ${rechargeId} and d.status = 'won'), 0) as unreturned`,
  );
  return BigInt(row?.unreturned ?? 0);
}

/** Whether a charge has a dispute the bank has not decided for us (open or lost): such a charge cannot be refunded (Stripe refuses it too). */
export async function hasOpenOrLostDispute(tx: Tx, rechargeId: string): Promise<"open" | "lost" | null> {
  const [row] = await queryRows<{ status: "open" | "lost" }>(
    tx,
    sql`select status from disputes where recharge_id = ${rechargeId} and status in ('open', 'lost') order by (status = 'open') desc limit 1`,
  );
  return row?.status ?? null;
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
