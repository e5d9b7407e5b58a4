import { sql } from "drizzle-orm";
import { settleFailed, settleSucceeded } from "../../billing/settle.js";
import type { Config } from "../../config/config.js";
import { queryRows, type Tx } from "../../db/database.js";
import { classifyFailure } from "../decline.js";
import { failureCodeOf } from "./stripe-failure.js";

/** The part of a verified Stripe event we read. */
export interface StripeEventInput {
  id: string;
  type: string;
  data: { object: unknown };
}

interface IntentFields {
  id: string;
  metadata?: Record<string, string> | null;
  last_payment_error?: { code?: string; decline_code?: string; message?: string } | null;
}

/**
 * Handles one verified Stripe event in the caller's transaction and says what it did. The
 * event id is recorded first, in the same transaction: a replay (Stripe retries, or an
 * attacker resending a captured body inside the tolerance) finds it and changes nothing.
 * Settlement is idempotent on its own too — the worker's synchronous answer and this event
 * race to settle the same recharge, and whichever comes second finds it closed — so order
 * does not matter: an old failure arriving after a success finds nothing open to fail.
 */
export async function handleStripeEvent(tx: Tx, config: Config, event: StripeEventInput): Promise<string> {
  const fresh = await queryRows(
    tx,
    sql`insert into stripe_events (id, type, outcome) values (${event.id}, ${event.type}, 'handling') on conflict do nothing returning id`,
  );
  if (fresh.length === 0) return "duplicate: already handled";
  const outcome = await settleFromEvent(tx, config, event);
  await tx.execute(sql`update stripe_events set outcome = ${outcome} where id = ${event.id}`);
  return outcome;
}

async function settleFromEvent(tx: Tx, config: Config, event: StripeEventInput): Promise<string> {
  if (event.type !== "payment_intent.succeeded" && event.type !== "payment_intent.payment_failed") return "ignored: not a type we act on";
  const intent = event.data.object as IntentFields;
  const rechargeId = intent.metadata?.recharge_id;
  if (!rechargeId) return "ignored: not a prepaid recharge";
  if (event.type === "payment_intent.succeeded") {
    return (await settleSucceeded(tx, config, rechargeId, "provider_event", intent.id)) ? "settled: succeeded" : "ignored: nothing open to settle";
  }
  const error = intent.last_payment_error ?? {};
  const code = failureCodeOf({ type: "card_error", code: error.code, decline_code: error.decline_code });
  // A soft failure is the worker's to retry (with its backoff); the event only confirms it.
  if (classifyFailure(code) === "soft") return `ignored: soft failure (${code}), retried by the worker`;
  const settled = await settleFailed(tx, config, rechargeId, "provider_event", code, error.message ?? code);
  return settled ? `settled: failed (${code})` : "ignored: nothing open to settle";
}
