import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import type { Connector, ProviderName } from "../../connectors/connector.js";
import { inTransaction, queryRows, type Database } from "../../db/database.js";
import { describeError } from "../../errors/describe-error.js";
import { log } from "../../logging/logger.js";
import { notify } from "../../notifications/notify.js";
import { PolledWorker } from "../../workers/polled-worker.js";
import type { UsageEvent, UsageWriter } from "../usage/usage-writer.js";
import { applyCallEvent } from "./connector-events.js";
import { meteredSeconds, planAfterTick } from "./connector-plan.js";

/** Running provider calls metered per tick at most: 5,000 (a usage batch of that many is ~0.2 s here); more wait for the next tick. */
const MAX_METERED_PER_TICK = 5000;
/** Usage events per submission: half a usage batch, so ticks share the writer with API reports. */
const METER_CHUNK = 500;
/** Silent calls looked up, and hang-ups asked again, per tick at most. */
const MAX_LOOKUPS_PER_TICK = 100;
/** A hang-up the provider has not confirmed (no end event) is asked again after this. */
const HANG_UP_RETRY_MS = 30_000;
/**
 * Requests to providers (hang-ups, lines, lookups) one ticker has in flight at once: 16 of at most
 * 10 s each keep a tick's provider work under ~10 s for the 100 a pass may ask in the worst case.
 */
const PROVIDER_REQUESTS_AT_ONCE = 16;
/** What Vapi's `say` tells the caller at wrap-up (it does not interrupt the agent). */
const WRAP_UP_LINE = "Just so you know, this call will end in about a minute.";

interface OpenCall {
  call_id: string;
  provider: ProviderName;
  provider_call_id: string;
  account_id: string;
  answered_at: Date | null;
  control_url: string | null;
  wrap_up_sent_at: unknown;
  hangup_requested_at: unknown;
}

/**
 * prepaid's own meter of the calls it takes from voice providers, every PREPAID_CONNECTOR_TICK:
 * each answered call reports its seconds since the provider's answer (one tick behind) through
 * the usage path, as an API client's reports would, so holds, alerts, Auto-Recharge and
 * mid-call recharges behave the same. The answers decide, per call: wrap-up (a `call.wrap_up`
 * notification, and Vapi's `say`), hang-up at the provider. Calls silent for
 * PREPAID_CONNECTOR_STALE are looked up at the provider and settled. Every action is claimed
 * in the database first (a column set where it was null), so two processes never both act.
 */
export class ConnectorTicker extends PolledWorker {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly usageWriter: UsageWriter,
    private readonly connectors: ReadonlyMap<ProviderName, Connector>,
    private readonly now: () => Date,
  ) {
    super("connector ticker", config.connectors.tickMs);
  }

  async runOnce(): Promise<number> {
    await this.meter();
    await this.retryHangUps();
    await this.lookUpSilent();
    // Never "found work": the next pass is a tick later.
    return 0;
  }

  /** Ends a call at its provider (a refused start, or credit gone). A failure is asked again by a later tick. */
  async hangUp(callId: string): Promise<void> {
    const [call] = await queryRows<OpenCall>(this.db, sql`select * from connector_calls where call_id = ${callId}`);
    const connector = call && this.connectors.get(call.provider);
    if (!call || !connector) return;
    try {
      await connector.hangUp({ providerCallId: call.provider_call_id, controlUrl: call.control_url });
      log.info({ callId, provider: call.provider }, "connector: hung up at the provider");
    } catch (error) {
      log.warn({ callId, provider: call.provider, err: describeError(error) }, "connector: the provider did not take the hang-up; asking again later");
    }
  }

  private async meter(): Promise<void> {
    const now = this.now();
    const tickMs = this.config.connectors.tickMs;
    const calls = await queryRows<OpenCall & { billed_seconds: number }>(
      this.db,
      sql`select cc.*, c.billed_seconds from connector_calls cc
          join calls c on c.id = cc.call_id
          where cc.ended_at is null and cc.status = 'answered' and c.status = 'active'
          order by cc.call_id limit ${MAX_METERED_PER_TICK}`,
    );
    const actions: Array<() => Promise<void>> = [];
    for (let i = 0; i < calls.length; i += METER_CHUNK) {
      const chunk = calls.slice(i, i + METER_CHUNK);
      const events: UsageEvent[] = chunk.map((c) => ({
        callId: c.call_id,
        elapsedSeconds: Math.max(Number(c.billed_seconds), meteredSeconds(new Date(c.answered_at!), now, tickMs)),
        final: false,
        onlyWhileActive: true,
      }));
      const outcome = await this.usageWriter.submit(events);
      if (outcome.kind !== "written") continue;
      for (const [j, result] of outcome.results.entries()) {
        const call = chunk[j]!;
        const plan = planAfterTick(result, tickMs);
        const wrapUp = plan.wrapUp && call.wrap_up_sent_at === null;
        const hangUp = plan.hangUp && call.hangup_requested_at === null;
        if (!wrapUp && !hangUp) continue;
        actions.push(async () => {
          if (wrapUp) await this.wrapUp(call, result.secondsRemaining, result.balanceMicros);
          if (hangUp && (await this.claimHangUp(call.call_id, "credit_exhausted"))) await this.hangUp(call.call_id);
        });
      }
    }
    // Every call is metered before any provider is asked anything: a slow provider API (10 s
    // timeouts) must not hold back the readings, and so the hang-ups, of the other calls.
    await atMost(PROVIDER_REQUESTS_AT_ONCE, actions);
  }

  /** One wrap-up per call: claimed with its notification in one transaction; then Vapi's `say`, best effort. */
  private async wrapUp(call: OpenCall, secondsRemaining: number, balanceMicros: bigint): Promise<void> {
    const left = Math.max(0, secondsRemaining - Math.ceil(this.config.connectors.tickMs / 1000));
    const claimed = await inTransaction(this.db, async (tx) => {
      // Only while it runs: a tick that read the call before its end event committed answers
      // `end_call` for it (an ended call has no time left), which is no reason to warn anyone.
      const rows = await queryRows(
        tx,
        sql`update connector_calls set wrap_up_sent_at = now() where call_id = ${call.call_id} and wrap_up_sent_at is null and ended_at is null returning 1`,
      );
      if (rows.length === 0) return false;
      // The agency is read here, for the few calls that wrap up, not joined into every tick's read.
      const [account] = await queryRows<{ parent_id: string | null }>(tx, sql`select parent_id from accounts where id = ${call.account_id}`);
      await notify(tx, {
        accountId: call.account_id,
        agencyId: account?.parent_id ?? null,
        event: { type: "call.wrap_up", callId: call.call_id, provider: call.provider, providerCallId: call.provider_call_id, secondsRemaining: left, balanceMicros },
      });
      return true;
    });
    const connector = this.connectors.get(call.provider);
    if (!claimed || !connector?.say) return;
    await connector.say({ providerCallId: call.provider_call_id, controlUrl: call.control_url }, WRAP_UP_LINE).catch((error: unknown) => {
      log.warn({ callId: call.call_id, err: describeError(error) }, "connector: the wrap-up line was not taken");
    });
  }

  private async claimHangUp(callId: string, reason: string): Promise<boolean> {
    const rows = await queryRows(
      this.db,
      sql`update connector_calls set hangup_requested_at = now(), hangup_reason = coalesce(hangup_reason, ${reason})
          where call_id = ${callId} and hangup_requested_at is null and ended_at is null returning 1`,
    );
    return rows.length > 0;
  }

  /** Hang-ups the provider has not confirmed with an end event within 30 s: asked again (claimed by moving the time). */
  private async retryHangUps(): Promise<void> {
    const due = await queryRows<{ call_id: string }>(
      this.db,
      sql`update connector_calls set hangup_requested_at = now()
          where call_id in (select call_id from connector_calls
                            where ended_at is null and hangup_requested_at < now() - make_interval(secs => ${HANG_UP_RETRY_MS / 1000})
                            order by hangup_requested_at limit ${MAX_LOOKUPS_PER_TICK} for update skip locked)
          returning call_id`,
    );
    await atMost(PROVIDER_REQUESTS_AT_ONCE, due.map(({ call_id }) => () => this.hangUp(call_id)));
  }

  /**
   * Calls with no word from their provider for PREPAID_CONNECTOR_STALE (its end event lost, or
   * never sent): claimed by moving their last-event time, then looked up; an ended one is settled
   * through the same path as its end event would have been (same key, so a late event is a duplicate).
   */
  private async lookUpSilent(): Promise<void> {
    const staleSeconds = this.config.connectors.staleMs / 1000;
    const due = await queryRows<OpenCall>(
      this.db,
      sql`update connector_calls set last_event_at = now()
          where call_id in (select call_id from connector_calls
                            where ended_at is null and last_event_at < now() - make_interval(secs => ${staleSeconds})
                            order by last_event_at limit ${MAX_LOOKUPS_PER_TICK} for update skip locked)
          returning *`,
    );
    const lookUps = due.map((call) => async () => {
      const connector = this.connectors.get(call.provider);
      if (!connector) return;
      try {
        const found = await connector.lookUp({ providerCallId: call.provider_call_id, controlUrl: call.control_url }, call.account_id);
        if (found.kind === "ended") {
          await applyCallEvent(this.db, this.config, this.usageWriter, call.provider, found.event);
          log.info({ callId: call.call_id, provider: call.provider }, "connector: a silent call was looked up and settled");
        }
      } catch (error) {
        log.warn({ callId: call.call_id, provider: call.provider, err: describeError(error) }, "connector: lookup failed; asking again later");
      }
    });
    await atMost(PROVIDER_REQUESTS_AT_ONCE, lookUps);
  }
}

/** Runs `tasks`, at most `limit` at a time; a task's failure is its own (each logs and swallows what it expects). */
async function atMost(limit: number, tasks: ReadonlyArray<() => Promise<void>>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task().catch((error: unknown) => log.warn({ err: describeError(error) }, "connector: a provider request failed"));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}
