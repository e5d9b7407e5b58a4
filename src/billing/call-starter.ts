import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { arrayLiteral } from "../db/array-literal.js";
import { queryRows, type Database } from "../db/database.js";
import { GroupCommit, type Queued } from "../db/group-commit.js";
import { newId } from "../ids/prefixed-id.js";
import { secondsAffordable } from "../money/rating.js";
import { callFromRow, startCall, type Call, type CallRow } from "./calls.js";

export interface StartedCall {
  call: Call;
  maxSeconds: number;
}

type Start = Queued<{ accountId: string; callId: string }, StartedCall>;

/**
 * Group commit for call authorisation, the hot path of every call. Starts queue up while a
 * statement runs; the next statement authorises all of them at once (one insert of calls
 * for the accounts that are active and can pay their first minute). Each start is
 * independent — authorising writes no balance — so batching changes no answer. What the
 * batch does not insert (an id that exists already: a retried start or someone else's id;
 * a refusal, which must say why) goes through `startCall` on its own, as before.
 */
export class CallStarter {
  private readonly queue: GroupCommit<{ accountId: string; callId: string }, StartedCall>;
  /** Statements run and starts answered, for tests and metrics. */
  readonly stats = { batches: 0, starts: 0 };

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    options: { maxBatch?: number; concurrency?: number } = {},
  ) {
    this.queue = new GroupCommit((batch) => this.commit(batch), { maxBatchWeight: options.maxBatch ?? 500, concurrency: options.concurrency ?? 1 });
  }

  start(accountId: string, callId: string | undefined): Promise<StartedCall> {
    return this.queue.submit({ accountId, callId: callId ?? newId("call") });
  }

  private async commit(batch: Start[]): Promise<void> {
    const { withWidgetMicros, withoutWidgetMicros } = this.config.rates;
    const inserted = await queryRows<CallRow & { spendable_micros: bigint }>(
      this.db,
      sql`with req as (
            select r.call_id, r.account_id
            from unnest(${arrayLiteral(batch.map((s) => s.callId))}::text[], ${arrayLiteral(batch.map((s) => s.accountId))}::text[]) as r(call_id, account_id)
          ), s as (
            select req.call_id, req.account_id, a.status, w.balance_micros + coalesce(r.amount_micros, 0) as spendable_micros,
                   case when a.web_widget then ${withWidgetMicros}::bigint else ${withoutWidgetMicros}::bigint end as rate
            from req join accounts a on a.id = req.account_id join wallets w on w.account_id = a.id
            left join recharges r on r.account_id = a.id and r.status in ('pending', 'processing')
          ), ins as (
            insert into calls (id, account_id, rate_per_minute_micros)
            select call_id, account_id, rate from s
            where s.status = 'active' and s.spendable_micros >= s.rate -- a minute costs exactly the rate
            order by call_id -- one lock order for concurrent batches
            on conflict (id) do nothing
            returning *
          )
          select distinct on (ins.id) ins.*, s.spendable_micros from ins join s on s.call_id = ins.id and s.account_id = ins.account_id`,
    );
    this.stats.batches += 1;
    this.stats.starts += batch.length;
    const byId = new Map(inserted.map((row) => [row.id, row]));
    const rest: Start[] = [];
    for (const start of batch) {
      const row = byId.get(start.callId);
      // The first start of an id takes the inserted row; a second one in the same batch is a retry.
      if (row && row.account_id === start.accountId) {
        byId.delete(start.callId);
        const call = callFromRow(row);
        start.resolve({ call, maxSeconds: secondsAffordable(BigInt(row.spendable_micros), call.ratePerMinuteMicros) });
      } else {
        rest.push(start);
      }
    }
    // Side by side (each its own statement on the pool): a storm of refusals must not queue.
    await Promise.all(
      rest.map((start) =>
        startCall(this.db, this.config, start.accountId, start.callId).then(
          ({ call, maxSeconds }) => start.resolve({ call, maxSeconds }),
          (error: unknown) => start.reject(error),
        ),
      ),
    );
  }
}
