import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { inTransaction, queryRows, type Database } from "../db/database.js";
import { classifyFailure } from "../payments/decline.js";
import type { ChargeOutcome, PaymentGateway } from "../payments/gateway.js";
import { PolledWorker } from "../workers/polled-worker.js";
import { scheduleRetry, settleFailed, settleSucceeded } from "./settle.js";

interface Claimed {
  id: string;
  account_id: string;
  amount_micros: bigint;
  attempts: number;
  provider_ref: string;
}

export interface WorkerOptions {
  /** At most this many charges at once per worker. */
  batchSize?: number;
  /** Fault injection for the crash tests: die right after the provider charged, before crediting. */
  crashAfterCharge?: boolean;
}

/**
 * Charges due recharges. Each one is claimed in a short transaction (FOR UPDATE SKIP LOCKED,
 * so several processes share the work) and leased; the provider is called outside any
 * transaction with the recharge id as idempotency key; the outcome is settled in a second
 * transaction. A crash between the two leaves a processing row whose lease expires; the
 * next claim looks the key up at the provider before charging again, so nothing is charged
 * twice and a succeeded charge is credited once.
 */
export class RechargeWorker extends PolledWorker {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly gateway: PaymentGateway,
    private readonly options: WorkerOptions = {},
  ) {
    super("recharge worker", config.workerPollMs);
  }

  /**
   * Works until no recharge is pending or processing (waiting out retry delays and other
   * workers' leases), then returns: `prepaid worker --drain` finishes in-flight charges and stops.
   */
  async drain(): Promise<void> {
    for (;;) {
      const worked = await this.runOnce();
      if (worked > 0) continue;
      const [open] = await queryRows<{ n: bigint }>(
        this.db,
        sql`select count(*) as n from recharges where status in ('pending', 'processing')`,
      );
      if ((open?.n ?? 0n) === 0n) return;
      await sleep(this.config.workerPollMs);
    }
  }

  /** Claims and processes one batch of due recharges; returns how many. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    // Each charge settles on its own: one failing (a lost connection, say) must not cut the
    // others short. A failed one stays processing and is resumed after its lease.
    const outcomes = await Promise.allSettled(claimed.map((r) => this.process(r)));
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === "rejected") {
        const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        console.error(`recharge worker: ${claimed[i]!.id} not settled, will resume after its lease: ${reason}`);
      }
    }
    return claimed.length;
  }

  private async claim(): Promise<Claimed[]> {
    const leaseSeconds = this.config.chargeLeaseMs / 1000;
    return inTransaction(this.db, (tx) =>
      queryRows<Claimed>(
        tx,
        sql`with due as (
              select id from recharges
              where (status = 'pending' and next_attempt_at <= now())
                 or (status = 'processing' and lease_expires_at < now())
              order by next_attempt_at
              for update skip locked
              limit ${this.options.batchSize ?? 8}
            ), claimed as (
              update recharges r
              set status = 'processing', attempts = r.attempts + 1, updated_at = now(),
                  started_at = coalesce(r.started_at, clock_timestamp()),
                  lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
              from due where r.id = due.id
              returning r.id, r.account_id, r.amount_micros, r.attempts, r.payment_method_id
            )
            select c.id, c.account_id, c.amount_micros, c.attempts, pm.provider_ref
            from claimed c join payment_methods pm on pm.id = c.payment_method_id`,
      ),
    );
  }

  private async withTimeout(work: () => Promise<ChargeOutcome | undefined>): Promise<ChargeOutcome | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ChargeOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: "failed", code: "timeout", message: `no answer from the provider in ${this.config.gatewayTimeoutMs} ms` }),
        this.config.gatewayTimeoutMs,
      );
    });
    try {
      return await Promise.race([work(), timeout]);
    } catch (error) {
      // Refused connections, resets: we do not know whether it charged, so it is soft.
      return { status: "failed", code: "network_error", message: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async process(recharge: Claimed): Promise<void> {
    const attempt = Number(recharge.attempts);
    const request = {
      idempotencyKey: recharge.id,
      attempt,
      amountMicros: BigInt(recharge.amount_micros),
      providerRef: recharge.provider_ref,
      accountId: recharge.account_id,
    };
    // An earlier attempt may have charged without our hearing of it: ask before charging.
    let outcome = attempt > 1 ? await this.withTimeout(() => this.gateway.lookup(request)) : undefined;
    const known = outcome && (outcome.status === "succeeded" || classifyFailure(outcome.code) === "hard");
    if (!known) outcome = await this.withTimeout(() => this.gateway.charge(request));
    if (!outcome) throw new Error("assertion: a charge has an outcome");
    if (this.options.crashAfterCharge && outcome.status === "succeeded") process.kill(process.pid, "SIGKILL");

    const { config } = this;
    await inTransaction(this.db, async (tx) => {
      if (outcome.status === "succeeded") return settleSucceeded(tx, config, recharge.id, { attempt }, outcome.chargeId);
      const retriesLeft = attempt <= config.retryDelaysMs.length;
      if (classifyFailure(outcome.code) === "soft" && retriesLeft) {
        return scheduleRetry(tx, recharge.id, attempt, outcome.code, config.retryDelaysMs[attempt - 1]!);
      }
      return settleFailed(tx, config, recharge.id, { attempt }, outcome.code, outcome.message);
    });
  }
}
