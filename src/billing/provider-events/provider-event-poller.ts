import type { Config } from "../../config/config.js";
import { inTransaction, type Database } from "../../db/database.js";
import { log } from "../../logging/logger.js";
import type { PaymentGateway } from "../../payments/gateway.js";
import { PolledWorker } from "../../workers/polled-worker.js";
import { settleProviderEvent } from "./provider-events.js";

/** Events taken from the provider per pass at most; the rest wait for the next pass. */
const EVENTS_PER_PASS = 20;

/**
 * Hands a webhook-less provider's events (the sandbox's disputes) to the same path as
 * Stripe's webhooks: each settled in its own transaction, recorded under its id, so one
 * handed over twice (a crash before `eventDelivered`) changes nothing the second time.
 */
export class ProviderEventPoller extends PolledWorker {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly gateway: Required<Pick<PaymentGateway, "pendingEvents" | "eventDelivered">>,
  ) {
    super("provider event poller", config.workerPollMs);
  }

  async runOnce(): Promise<number> {
    const events = await this.gateway.pendingEvents(EVENTS_PER_PASS);
    for (const event of events) {
      const outcome = await inTransaction(this.db, (tx) => settleProviderEvent(tx, this.config, event));
      log.info({ event_id: event.id, type: event.type, outcome }, "provider event handled");
      await this.gateway.eventDelivered(event.id);
    }
    return events.length;
  }
}
