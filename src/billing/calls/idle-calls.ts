import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { arrayLiteral } from "../../db/array-literal.js";
import { inTransaction, queryRows, type Database } from "../../db/database.js";
import { log } from "../../logging/logger.js";
import { PolledWorker } from "../../workers/polled-worker.js";
import { callFromRow, releaseCalls, type CallRow } from "./calls.js";

/** Calls ended in one transaction at most: a sweep's locks and its statement stay small. */
const SWEEP_BATCH = 500;
/** Batches per pass at most; a pass that hits it runs again at once (the worker loop). */
const SWEEP_BATCHES_PER_PASS = 10;

/**
 * Ends running calls whose last report is older than the idle timeout (docs/concepts.md): at their
 * last reported seconds (nothing more is billed), releasing their holds and slots. Calls are
 * taken with FOR UPDATE SKIP LOCKED and the age is checked again on the locked row, so a
 * report committed meanwhile keeps its call running, and a call a usage batch holds is left
 * for the next pass. The clock is the database's, like the time of the reports. A report
 * that comes later is still billed (usage is never dropped) and answered `end_call`.
 * Running calls are found by `calls_active_idx` and their age read from the rows: an index on
 * last_report_at would make every report's update of its call a non-HOT one (migration 0022).
 * Returns how many calls it ended.
 */
export async function endIdleCalls(db: Database, idleTimeoutMs: number): Promise<number> {
  let ended = 0;
  for (let batch = 0; batch < SWEEP_BATCHES_PER_PASS; batch++) {
    const calls = await inTransaction(db, async (tx) => {
      const rows = await queryRows<CallRow>(
        tx,
        sql`with idle as (
              select id from calls
              where status = 'active' and last_report_at < now() - ${idleTimeoutMs} * interval '1 millisecond'
              order by last_report_at limit ${SWEEP_BATCH}
              for update skip locked
            )
            update calls c set status = 'ended', ended_at = now(), ended_by = 'idle_timeout'
            from idle where c.id = idle.id
            returning c.*`,
      );
      const found = rows.map(callFromRow);
      // Their wallets locked in account order before they change, as every batch locks them
      // (an update's own row order is the plan's): a usage batch holding one of them never
      // waits on this sweep in a cycle.
      const accountIds = [...new Set(found.map((c) => c.accountId))].sort();
      if (accountIds.length > 0) {
        await tx.execute(sql`select 1 from wallets where account_id = any(${arrayLiteral(accountIds)}::text[]) order by account_id for update`);
      }
      await releaseCalls(tx, found);
      return found;
    });
    for (const call of calls) {
      log.info({ event: "call.idle_timeout", call_id: call.id, account_id: call.accountId, billed_seconds: call.billedSeconds }, "call.idle_timeout");
    }
    ended += calls.length;
    if (calls.length < SWEEP_BATCH) break;
  }
  return ended;
}

/** Runs the idle sweep in the worker process, a few times per timeout. */
export class IdleCallWorker extends PolledWorker {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
  ) {
    // A tenth of the timeout between looks (a minute at the default 10 m), between 250 ms and a
    // minute: a silent call is ended at most ~10% after its timeout.
    super("idle call worker", Math.min(60_000, Math.max(250, Math.floor(config.calls.idleTimeoutMs / 10))));
  }

  async runOnce(): Promise<number> {
    const ended = await endIdleCalls(this.db, this.config.calls.idleTimeoutMs);
    // The loop runs again at once when it worked; only a full pass means more are waiting.
    return ended >= SWEEP_BATCH * SWEEP_BATCHES_PER_PASS ? ended : 0;
  }
}
