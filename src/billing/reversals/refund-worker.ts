import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { inTransaction, queryRows, type Database } from "../../db/database.js";
import { describeError } from "../../errors/describe-error.js";
import { log } from "../../logging/logger.js";
import type { PaymentGateway, RefundOutcome } from "../../payments/gateway.js";
import { PolledWorker } from "../../workers/polled-worker.js";
import { settleRefund } from "./refunds.js";

/** Refunds taken to the provider per pass at most; the rest wait for the next pass. */
const REFUNDS_PER_PASS = 10;

interface Claimed {
  id: string;
  account_id: string;
  recharge_id: string;
  amount_micros: bigint;
  charge_id: string | null;
}

/**
 * Takes pending refunds to the provider and settles what it says. A refund is claimed with
 * FOR UPDATE SKIP LOCKED and leased (its next attempt moved past the provider's timeout), so
 * several workers share the queue and a worker that dies mid-refund leaves it for another.
 * The provider call carries the refund's id as idempotency key: asking again returns the
 * first refund, never a second. An outcome the provider did not give stays pending and is
 * asked again after `reconcileIntervalMs`: an unknown outcome is never final.
 */
export class RefundWorker extends PolledWorker {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly gateway: PaymentGateway,
  ) {
    super("refund worker", config.workerPollMs);
  }

  async runOnce(): Promise<number> {
    const claimed = await queryRows<Claimed>(
      this.db,
      sql`update refunds f set attempts = f.attempts + 1,
            next_attempt_at = now() + ${this.config.gatewayTimeoutMs + 5_000} * interval '1 millisecond'
          from (select id from refunds where status = 'pending' and next_attempt_at <= now()
                order by next_attempt_at limit ${REFUNDS_PER_PASS} for update skip locked) due,
               recharges r
          where f.id = due.id and r.id = f.recharge_id
          returning f.id, f.account_id, f.recharge_id, f.amount_micros, r.provider_charge_id as charge_id`,
    );
    await Promise.all(claimed.map((refund) => this.refund(refund)));
    return claimed.length;
  }

  private async refund(claimed: Claimed): Promise<void> {
    let outcome: RefundOutcome;
    try {
      if (!claimed.charge_id) throw new Error(`assertion: succeeded recharge ${claimed.recharge_id} has a provider charge id`);
      outcome = await this.gateway.refund({
        idempotencyKey: claimed.id,
        chargeId: claimed.charge_id,
        accountId: claimed.account_id,
        rechargeId: claimed.recharge_id,
        amountMicros: BigInt(claimed.amount_micros),
      });
    } catch (error) {
      // Thrown: the provider may or may not have refunded. Asked again later, under the same key.
      outcome = { status: "unknown", code: "provider_unavailable", message: describeError(error) };
    }
    if (outcome.status === "unknown") {
      log.warn({ refund_id: claimed.id, code: outcome.code }, "refund outcome unknown; asking the provider again later");
      await this.db.execute(sql`update refunds set next_attempt_at = now() + ${this.config.reconcileIntervalMs} * interval '1 millisecond' where id = ${claimed.id} and status = 'pending'`);
      return;
    }
    const settled = outcome;
    await inTransaction(this.db, (tx) => settleRefund(tx, this.config, claimed.id, settled));
  }
}
