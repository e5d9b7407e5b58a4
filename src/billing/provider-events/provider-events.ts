import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { inTransaction, queryRows, type Database, type Tx } from "../../db/database.js";
import { classifyFailure } from "../../payments/decline.js";
import { logMoneyEvent } from "../../logging/money-events.js";
import { formatMicros, type Micros } from "../../money/micros.js";
import type { ProviderEvent, ReportedPayment } from "../../payments/gateway.js";
import { stripeCustomerOf } from "../../payments/stripe/stripe-customers.js";
import { closeDispute, openDispute } from "../reversals/disputes.js";
import { settleProviderRefunds } from "../reversals/refunds.js";
import { findSucceededCharge } from "../reversals/reversals.js";
import { settleFailed, settleSucceeded, type Settler } from "../recharges/settle.js";

/**
 * Settles what a provider's event says, in the caller's transaction, and says what it did.
 * The event id is recorded first, in the same transaction: a replay (the provider retries, or
 * an attacker resends a captured body inside the tolerance) finds it and changes nothing.
 * Settlement is idempotent on its own too — the worker's synchronous answer and this event
 * race to settle the same recharge, and whichever comes second finds it closed — so order
 * does not matter: an old failure arriving after a success finds nothing open to fail.
 */
export async function settleProviderEvent(tx: Tx, config: Config, event: ProviderEvent): Promise<string> {
  const fresh = await queryRows(
    tx,
    sql`insert into stripe_events (id, type, outcome) values (${event.id}, ${event.type}, 'handling') on conflict do nothing returning id`,
  );
  if (fresh.length === 0) return "duplicate: already handled";
  const outcome = await settle(tx, config, event);
  await tx.execute(sql`update stripe_events set outcome = ${outcome} where id = ${event.id}`);
  return outcome;
}

/**
 * A charge succeeded (the worker heard it, or the provider's event said so): settled once, then
 * what waited for it is applied in the same transaction — a dispute or refund of it that the
 * provider reported before we settled it. Returns whether this call settled it.
 */
export async function settleChargeSucceeded(tx: Tx, config: Config, rechargeId: string, by: Settler, chargeId: string): Promise<boolean> {
  if (!(await settleSucceeded(tx, config, rechargeId, by, chargeId))) return false;
  await applyParked(tx, config, `charge:${chargeId}`);
  return true;
}

async function settle(tx: Tx, config: Config, event: ProviderEvent): Promise<string> {
  switch (event.kind) {
    case "ignored":
      return `ignored: ${event.reason}`;
    case "charge_succeeded": {
      const mismatch = await paymentMismatch(tx, event);
      if (mismatch) return flagPayment(tx, event, mismatch);
      return (await settleChargeSucceeded(tx, config, event.rechargeId, "provider_event", event.chargeId)) ? "settled: succeeded" : "ignored: nothing open to settle";
    }
    case "charge_failed": {
      // A soft failure is the worker's to retry (with its backoff); the event only confirms it.
      if (classifyFailure(event.code) === "soft") return `ignored: soft failure (${event.code}), retried by the worker`;
      const mismatch = await paymentMismatch(tx, event);
      if (mismatch) return flagPayment(tx, event, mismatch);
      // A confirmation the customer failed in the page leaves the payment open at Stripe (it could
      // be confirmed again): the look-up or the worker cancels it first, then fails the recharge,
      // so a recharge is never "failed, nothing charged" while its payment can still charge.
      if (await awaitsCustomer(tx, event.rechargeId)) return `ignored: an on-session payment's failed confirmation (${event.code}); cancelled and settled by its look-up`;
      const settled = await settleFailed(tx, config, event.rechargeId, "provider_event", event.code, event.message);
      return settled ? `settled: failed (${event.code})` : "ignored: nothing open to settle";
    }
    case "charge_refunded":
      await takeTurnOn(tx, `charge:${event.chargeId}`);
      if (!(await findSucceededCharge(tx, event.chargeId))) return park(tx, event, `charge:${event.chargeId}`);
      return settleProviderRefunds(tx, config, event.chargeId, event.refunds);
    case "dispute_opened": {
      await takeTurnOn(tx, `charge:${event.chargeId}`);
      if (!(await findSucceededCharge(tx, event.chargeId))) return park(tx, event, `charge:${event.chargeId}`);
      const opened = await openDispute(tx, config, event.chargeId, event.disputeId, event.amountMicros);
      await applyParked(tx, config, `dispute:${event.disputeId}`);
      return opened;
    }
    case "dispute_closed":
      await takeTurnOn(tx, `dispute:${event.disputeId}`);
      if (!(await disputeKnown(tx, event.disputeId))) return park(tx, event, `dispute:${event.disputeId}`);
      return closeDispute(tx, config, event.disputeId, event.outcome);
  }
}

/**
 * What in a reported payment disagrees with the recharge it names (pure): its amount, the
 * customer at the provider (the account's, or none when the account has none), and the
 * payment's id once the recharge has one. Null when it all matches.
 */
export function paymentMismatchOf(
  recharge: { amountMicros: Micros; providerChargeId: string | null },
  accountCustomerId: string | null,
  reported: ReportedPayment,
): PaymentMismatch | null {
  if (reported.amountMicros !== recharge.amountMicros) return "amount";
  if (reported.customerId !== accountCustomerId) return "customer";
  if (recharge.providerChargeId !== null && recharge.providerChargeId !== reported.chargeId) return "payment_intent";
  return null;
}

export type PaymentMismatch = "no_such_recharge" | "amount" | "customer" | "payment_intent";

/**
 * The recharge id in a payment's metadata is only a claim (anyone who can make a payment on the
 * provider account can write it): the payment settles that recharge only if it matches it.
 */
async function paymentMismatch(tx: Tx, reported: ReportedPayment): Promise<PaymentMismatch | null> {
  const [recharge] = await queryRows<{ account_id: string; amount_micros: bigint; provider_charge_id: string | null }>(
    tx,
    sql`select account_id, amount_micros, provider_charge_id from recharges where id = ${reported.rechargeId}`,
  );
  if (!recharge) return "no_such_recharge";
  const customer = (await stripeCustomerOf(tx, recharge.account_id)) ?? null;
  return paymentMismatchOf({ amountMicros: BigInt(recharge.amount_micros), providerChargeId: recharge.provider_charge_id }, customer, reported);
}

/**
 * A payment that does not match its recharge changes nothing; it is recorded as the event's
 * outcome, logged and counted for an operator. One naming no recharge of ours at all (another
 * deployment on the same provider account) is only ignored.
 */
function flagPayment(tx: Tx, event: ProviderEvent & ReportedPayment, mismatch: PaymentMismatch): string {
  if (mismatch === "no_such_recharge") return "ignored: no recharge of ours has this id";
  logMoneyEvent(tx, "provider_event.flagged", {
    reason: `payment_${mismatch}`,
    provider_event_id: event.id,
    recharge_id: event.rechargeId,
    provider_payment_id: event.chargeId,
    amount: formatMicros(event.amountMicros),
  });
  return `flagged: the payment ${event.chargeId} does not match recharge ${event.rechargeId} (${mismatch.replace(/_/g, " ")}); nothing settled`;
}

/**
 * An event about something we do not have yet — a charge not settled (its own event is late,
 * or our worker is settling it now), a dispute not opened (events come in any order) — is
 * kept, not dropped: `applyParked` applies it when that thing appears. An event about a
 * charge that is not ours at all (another product on the same provider account) stays parked
 * and changes nothing.
 */
async function park(tx: Tx, event: ProviderEvent, waitsFor: string): Promise<string> {
  const stored = JSON.stringify(event, (_key, value: unknown) => (typeof value === "bigint" ? { micros: value.toString() } : value));
  await tx.execute(sql`insert into parked_provider_events (event_id, waits_for, event) values (${event.id}, ${waitsFor}, ${stored}::jsonb) on conflict do nothing`);
  return `parked: waiting for ${waitsFor}`;
}

/** The events parked for `waitsFor`, in arrival order, applied once each (and their outcome recorded), in the caller's transaction. */
async function applyParked(tx: Tx, config: Config, waitsFor: string): Promise<void> {
  await takeTurnOn(tx, waitsFor);
  const parked = await queryRows<{ event_id: string; event: string | object; created_at: Date | string }>(
    tx,
    sql`delete from parked_provider_events where event_id in (
          select event_id from parked_provider_events where waits_for = ${waitsFor} order by created_at, event_id for update)
        returning event_id, event, created_at`,
  );
  const at = (row: { created_at: Date | string }) => new Date(row.created_at).getTime();
  parked.sort((a, b) => at(a) - at(b) || (a.event_id < b.event_id ? -1 : 1));
  for (const row of parked) {
    const text = typeof row.event === "string" ? row.event : JSON.stringify(row.event);
    const event = JSON.parse(text, (_key, value: unknown) =>
      value !== null && typeof value === "object" && "micros" in value && Object.keys(value).length === 1 ? BigInt((value as { micros: string }).micros) : value,
    ) as ProviderEvent;
    const outcome = await settle(tx, config, event);
    await tx.execute(sql`update stripe_events set outcome = ${`applied once ${waitsFor.split(":")[0]} appeared: ${outcome}`} where id = ${event.id}`);
  }
}

/** Advisory locks of this class (the two-key form, apart from the one-key locks of migrations and bootstrap) are provider-event subjects. */
const PROVIDER_EVENT_LOCK_CLASS = 7_482_331;

/**
 * Whether to park and whether anything is parked are decided one transaction at a time per
 * subject (`charge:…`, `dispute:…`), until commit. Without it, under READ COMMITTED, an event
 * read the charge as unsettled while another transaction was settling it, and that settlement
 * looked for parked events before the park committed: both committed, and the event stayed
 * parked for good (a dispute's $50 never taken back; seen in CI on the sandbox's card 0259).
 * Whichever takes its turn second runs its next statement after the first's commit, and so
 * sees it: the settled charge, or the parked event. A hash collision only makes two subjects
 * take turns.
 */
async function takeTurnOn(tx: Tx, subject: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${PROVIDER_EVENT_LOCK_CLASS}, hashtext(${subject}))`);
}

async function awaitsCustomer(tx: Tx, rechargeId: string): Promise<boolean> {
  return (await queryRows(tx, sql`select 1 from recharges where id = ${rechargeId} and confirm_by is not null and status in ('pending', 'processing')`)).length > 0;
}

async function disputeKnown(tx: Tx, providerDisputeId: string): Promise<boolean> {
  return (await queryRows(tx, sql`select 1 from disputes where provider_dispute_id = ${providerDisputeId}`)).length > 0;
}

/** Subjects caught up per start at most (each its own transaction); the rest wait for the next start. */
const OVERDUE_SUBJECTS_PER_START = 1_000;

/**
 * Applies what stayed parked although the charge or dispute it waits for is there: the state a
 * race before `takeTurnOn` could leave (its dispute never taken back). Run once at a worker's
 * start; with the turns taken, nothing new can be left so. Returns the subjects caught up.
 */
export async function applyOverdueParked(db: Database, config: Config): Promise<number> {
  const overdue = await queryRows<{ waits_for: string }>(
    db,
    sql`select distinct p.waits_for from parked_provider_events p
        where exists (select 1 from recharges r where p.waits_for = 'charge:' || r.provider_charge_id and r.status = 'succeeded')
           or exists (select 1 from disputes d where p.waits_for = 'dispute:' || d.provider_dispute_id)
        order by p.waits_for limit ${OVERDUE_SUBJECTS_PER_START}`,
  );
  for (const { waits_for } of overdue) await inTransaction(db, (tx) => applyParked(tx, config, waits_for));
  return overdue.length;
}
