import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { queryRows, type Tx } from "../db/database.js";
import { classifyFailure } from "../payments/decline.js";
import type { ProviderEvent } from "../payments/gateway.js";
import { closeDispute, openDispute } from "./disputes.js";
import { settleProviderRefunds } from "./refunds.js";
import { settleFailed, settleSucceeded } from "./settle.js";

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

async function settle(tx: Tx, config: Config, event: ProviderEvent): Promise<string> {
  switch (event.kind) {
    case "ignored":
      return `ignored: ${event.reason}`;
    case "charge_succeeded":
      return (await settleSucceeded(tx, config, event.rechargeId, "provider_event", event.chargeId)) ? "settled: succeeded" : "ignored: nothing open to settle";
    case "charge_failed": {
      // A soft failure is the worker's to retry (with its backoff); the event only confirms it.
      if (classifyFailure(event.code) === "soft") return `ignored: soft failure (${event.code}), retried by the worker`;
      const settled = await settleFailed(tx, config, event.rechargeId, "provider_event", event.code, event.message);
      return settled ? `settled: failed (${event.code})` : "ignored: nothing open to settle";
    }
    case "charge_refunded":
      return settleProviderRefunds(tx, config, event.chargeId, event.refunds);
    case "dispute_opened":
      return openDispute(tx, config, event.chargeId, event.disputeId, event.amountMicros);
    case "dispute_closed":
      return closeDispute(tx, config, event.disputeId, event.outcome);
  }
}
