import type { Config } from "../../config/config.js";
import { inTransaction, type Database } from "../../db/database.js";
import { GroupCommit, type Queued } from "../../db/group-commit.js";
import { AppError } from "../../errors/app-error.js";
import { newId } from "../../ids/prefixed-id.js";
import { approveCallStarts, type CallStart, type StartedCall } from "./calls.js";

/**
 * Group commit for call authorisation, the hot path of every call. Starts queue up while a
 * transaction runs; the next one authorises all of them at once (`approveCallStarts`), in
 * arrival order per account, so batching changes no answer: the starts of one account take
 * their holds and slots one after another, as they would one transaction each.
 */
export class CallStarter {
  private readonly queue: GroupCommit<CallStart, StartedCall>;
  /** Statements run and starts answered, for tests and metrics. */
  readonly stats = { batches: 0, starts: 0 };

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    options: { maxBatch?: number; concurrency?: number } = {},
  ) {
    this.queue = new GroupCommit((batch) => this.commit(batch), {
      maxBatchWeight: options.maxBatch ?? 500,
      concurrency: options.concurrency ?? 1,
      // 20 full statements of starts waiting at most; past it a start is refused with 429 at once.
      maxQueuedWeight: 10_000,
    });
  }

  start(accountId: string, callId: string | undefined): Promise<StartedCall> {
    return this.queue.submit({ accountId, callId: callId ?? newId("call") });
  }

  private async commit(batch: Queued<CallStart, StartedCall>[]): Promise<void> {
    const answers = await inTransaction(this.db, (tx) => approveCallStarts(tx, this.config, batch));
    this.stats.batches += 1;
    this.stats.starts += batch.length;
    for (const [i, start] of batch.entries()) {
      const answer = answers[i]!;
      if (answer instanceof AppError) start.reject(answer);
      else start.resolve(answer);
    }
  }
}
