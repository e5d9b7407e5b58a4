import { setTimeout as sleep } from "node:timers/promises";
import { describeError } from "../../errors/describe-error.js";
import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { arrayLiteral } from "../../db/array-literal.js";
import { inTransaction, queryRows, type Database } from "../../db/database.js";
import type { ChargeOutcome, ChargeRequest, PaymentGateway } from "../../payments/gateway.js";
import { logMoneyEvent } from "../../logging/money-events.js";
import { formatMicros } from "../../money/micros.js";
import { PolledWorker } from "../../workers/polled-worker.js";
import { planAfterCharge, planBeforeCharge, type AttemptFacts, type AttemptStep } from "./charge-attempt.js";
import { askLater, scheduleRetry, settleFailed, type Settler } from "./settle.js";
import { askProvider, resolveOnSession, waitForCustomer } from "./on-session-settle.js";
import type { Tx } from "../../db/database.js";
import { assert } from "../../errors/assert.js";
import { log } from "../../logging/logger.js";

interface Claimed {
  id: string;
  account_id: string;
  trigger: string;
  amount_micros: bigint;
  attempts: number;
  provider_ref: string;
  card_removed: boolean;
  soft_failures: number;
  /** An on-session top-up (Stripe): the customer confirms it; the worker only looks at it. */
  confirm_by: Date | string | null;
  past_confirm_by: boolean;
  consent_id: string | null;
}

/** Settles a succeeded charge: settle.ts's settleSucceeded, and then what waited for the charge. */
export type SettleSucceeded = (tx: Tx, config: Config, rechargeId: string, by: Settler, chargeId: string) => Promise<boolean>;

export interface WorkerOptions {
  /**
   * How a succeeded charge is settled: provider-events' settleChargeSucceeded, which also applies
   * the provider's events that arrived before the charge (a dispute, a refund). Handed in by the
   * service (src/service.ts), because provider-events sits above recharges: it drives reversals,
   * which drive the recharge rules.
   */
  settleSucceeded: SettleSucceeded;
  /** Fault injection for the crash tests: die right after the provider charged, before crediting. */
  crashAfterCharge?: boolean;
}

/**
 * Charges due recharges. Each one is claimed in a short transaction (FOR UPDATE SKIP LOCKED,
 * so several processes share the work) and leased; the provider is called outside any
 * transaction with the recharge id as idempotency key; the outcome is settled in a second
 * transaction. A crash between the two leaves a processing row whose lease expires; the
 * next claim looks the key up at the provider before charging again, so nothing is charged
 * twice and a succeeded charge is credited once. An outcome the provider did not give (a
 * timeout, a lost connection) is never settled as a failure: see charge-attempt.ts.
 *
 * Charges run side by side, up to `maxChargesInFlight` per worker: a claim takes only as many
 * as there are free slots, and a finished charge frees its slot and wakes the loop, so one
 * slow provider call never holds back another account's charge.
 */
export class RechargeWorker extends PolledWorker {
  /** The charges this worker is running, by recharge id: never claimed again by it while they run. */
  private readonly charging = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly gateway: PaymentGateway,
    private readonly options: WorkerOptions,
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
      if (this.charging.size > 0) {
        await Promise.race(this.charging.values());
        continue;
      }
      const [open] = await queryRows<{ n: bigint }>(
        this.db,
        sql`select count(*) as n from recharges where status in ('pending', 'processing')`,
      );
      if ((open?.n ?? 0n) === 0n) return;
      await sleep(this.config.workerPollMs);
    }
  }

  /**
   * Stops claiming, then waits up to `graceMs` for the charges it has at the provider. One still
   * unanswered then is handed back — its lease ends now instead of after chargeLeaseMs — so
   * another worker resumes it at once, asking the provider under the same idempotency key
   * (which charges nothing twice); this process's own late answer can no longer settle it,
   * since settling checks the attempt it was claimed with.
   */
  override async stop(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    await super.stop();
    const inFlight = Promise.allSettled(this.charging.values());
    const waited = await Promise.race([inFlight.then(() => "done" as const), sleep(graceMs).then(() => "late" as const)]);
    if (waited === "done" || this.charging.size === 0) return;
    const ids = [...this.charging.keys()];
    await this.db.execute(
      sql`update recharges set lease_expires_at = now(), updated_at = now()
          where id = any(${arrayLiteral(ids)}::text[]) and status = 'processing'`,
    );
    log.warn({ recharge_ids: ids }, "recharge worker: stopped with charges at the provider; their leases are released for another worker");
  }

  /** Claims due recharges for the free slots and starts them; returns how many it started. */
  async runOnce(): Promise<number> {
    const free = this.config.maxChargesInFlight - this.charging.size;
    if (free <= 0) return 0;
    const claimed = await this.claim(free);
    for (const recharge of claimed) {
      const started: Promise<void> = this.process(recharge)
        .catch((error: unknown) => {
          // Stays processing and is resumed after its lease (a lost connection, say).
          log.error({ recharge_id: recharge.id, err: describeError(error) }, "recharge worker: not settled, will resume after its lease");
        })
        .finally(() => {
          this.charging.delete(recharge.id);
          this.nudge();
        });
      this.charging.set(recharge.id, started);
    }
    return claimed.length;
  }

  private async claim(limit: number): Promise<Claimed[]> {
    const leaseSeconds = this.config.chargeLeaseMs / 1000;
    return inTransaction(this.db, (tx) =>
      queryRows<Claimed>(
        tx,
        sql`with due as (
              select id from recharges
              where ((status = 'pending' and next_attempt_at <= now())
                 or (status = 'processing' and lease_expires_at < now()))
                -- its own charges past their lease (a slow provider) are still this worker's
                and id <> all(${arrayLiteral([...this.charging.keys()])}::text[])
              order by next_attempt_at
              for update skip locked
              limit ${limit}
            ), claimed as (
              update recharges r
              set status = 'processing', attempts = r.attempts + 1, updated_at = now(),
                  started_at = coalesce(r.started_at, clock_timestamp()),
                  lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
              from due where r.id = due.id
              returning r.id, r.account_id, r.trigger, r.amount_micros, r.attempts, r.payment_method_id, r.soft_failures, r.confirm_by
            )
            select c.id, c.account_id, c.trigger, c.amount_micros, c.attempts, c.soft_failures, pm.provider_ref,
                   pm.deleted_at is not null as card_removed, c.confirm_by, coalesce(c.confirm_by <= now(), false) as past_confirm_by,
                   -- the consent an automatic charge rests on, for the provider's record of it (consent.ts)
                   case when c.trigger <> 'manual' then
                     (select cn.id from consents cn where cn.account_id = c.account_id order by cn.created_at desc, cn.id desc limit 1)
                   end as consent_id
            from claimed c join payment_methods pm on pm.id = c.payment_method_id`,
      ),
    );
  }

  /** The gateway's answer, or `unknown` when it throws or does not answer in time. */
  private ask(work: () => Promise<ChargeOutcome | undefined>): Promise<ChargeOutcome | undefined> {
    return askProvider<ChargeOutcome | undefined>(work, this.config.gatewayTimeoutMs, (code, message) => ({ status: "unknown", code, message }));
  }

  private async process(recharge: Claimed): Promise<void> {
    if (recharge.confirm_by !== null) return this.processOnSession(recharge);
    // 1. Setup: the facts, and what the provider already knows of this key.
    const facts: AttemptFacts = {
      attempt: Number(recharge.attempts),
      softFailures: Number(recharge.soft_failures),
      maxRetries: this.config.retryDelaysMs.length,
      cardRemoved: recharge.card_removed,
    };
    const request = this.request(recharge, facts.attempt);
    // An earlier attempt may have charged without our hearing of it: ask before charging.
    const lookedUp = facts.attempt > 1 ? await this.ask(() => this.gateway.lookup(request)) : "not_asked";
    // 2. Compute.
    let step = planBeforeCharge(facts, lookedUp);
    if (step.step === "charge") {
      const outcome = await this.ask(() => this.gateway.charge(request));
      assert(outcome, "a charge has an outcome");
      if (this.options.crashAfterCharge && outcome.status === "succeeded") process.kill(process.pid, "SIGKILL");
      step = planAfterCharge(facts, outcome);
    }
    // 3. Execute.
    await this.execute(recharge, facts, step);
  }

  /**
   * An on-session top-up is never charged here: the customer confirms it in the page. At its
   * `confirm_by` (or when a look-up was asked for) the worker asks Stripe what became of it and
   * settles it, cancels it, or waits (on-session.ts).
   */
  private async processOnSession(recharge: Claimed): Promise<void> {
    const attempt = Number(recharge.attempts);
    const step = await resolveOnSession(this.gateway, this.request(recharge, attempt), recharge.past_confirm_by, this.config.gatewayTimeoutMs);
    if (step.step === "wait") {
      await waitForCustomer(this.db, recharge.id, attempt);
      return;
    }
    const facts: AttemptFacts = { attempt, softFailures: Number(recharge.soft_failures), maxRetries: this.config.retryDelaysMs.length, cardRemoved: recharge.card_removed };
    await this.execute(recharge, facts, step.step === "ask_later" ? { ...step, unresolved: attempt > facts.maxRetries } : step);
  }

  private request(recharge: Claimed, attempt: number): ChargeRequest {
    return {
      idempotencyKey: recharge.id,
      attempt,
      amountMicros: BigInt(recharge.amount_micros),
      providerRef: recharge.provider_ref,
      accountId: recharge.account_id,
      consentId: recharge.consent_id,
    };
  }

  private execute(recharge: Claimed, { attempt, softFailures }: AttemptFacts, step: AttemptStep): Promise<boolean> {
    const { config } = this;
    const rechargeId = recharge.id;
    return inTransaction(this.db, async (tx) => {
      switch (step.step) {
        case "settle_succeeded":
          return this.options.settleSucceeded(tx, config, rechargeId, { attempt }, step.chargeId);
        case "settle_failed":
          return settleFailed(tx, config, rechargeId, { attempt }, step.code, step.message);
        case "retry_later":
          return scheduleRetry(tx, rechargeId, attempt, step.code, config.retryDelaysMs[softFailures]!);
        case "ask_later": {
          // The backoff of the tries while they last (the same delays), then the sweep's interval.
          const delayMs = step.unresolved ? config.reconcileIntervalMs : (config.retryDelaysMs[attempt - 1] ?? config.reconcileIntervalMs);
          const asked = await askLater(tx, rechargeId, attempt, step.code, delayMs, step.unresolved);
          // Every try is spent and the provider has not said: open until a look-up or an event settles it.
          if (asked && step.unresolved) {
            logMoneyEvent(tx, "recharge.unresolved", {
              recharge_id: rechargeId,
              account_id: recharge.account_id,
              trigger: recharge.trigger,
              amount: formatMicros(BigInt(recharge.amount_micros)),
              attempt,
              code: step.code,
              next_look_ms: delayMs,
            });
          }
          return asked;
        }
        case "charge":
          throw new Error("assertion: a charge step is executed by charging");
      }
    });
  }
}
