import { AppError } from "../errors/app-error.js";
import { isLostConnection } from "./errors.js";

/** A queued item with the callbacks that answer its submitter. */
export type Queued<I, R> = I & { resolve(result: R): void; reject(error: unknown): void };

export interface GroupCommitOptions<I> {
  /** Most weight in one batch (a lone item heavier than this still goes, alone). */
  maxBatchWeight: number;
  /** How many batches may commit at once (each on its own connection, on PostgreSQL). */
  concurrency: number;
  /** An item's weight; 1 when not given. */
  weight?: (item: I) => number;
  /**
   * Most weight waiting at once: past it, a submit is refused with 429 `rate_limited` at once
   * instead of queueing without end while the database is slow or gone. An empty queue takes
   * any item. In the items' own units, not batches: with batches of 1 (the benchmarks' naive
   * writer) a bound of "20 batches" refused every 1000-event request that found one waiting.
   */
  maxQueuedWeight: number;
}

/** Queued items past the bound wait this long before trying again (Retry-After). */
const RETRY_AFTER_FULL_SECONDS = 1;

/**
 * The queue behind group commit. Items wait while a batch commits; the next batch takes
 * everything queued (up to `maxBatchWeight`). An idle queue starts a batch on the next turn
 * of the event loop, so a lone item waits for nothing. `commit` answers every item of its
 * batch; when it throws for a batch of several, each item is committed again on its own, so
 * one bad item fails alone and never its neighbours. A lost connection is no item's fault:
 * then every item of the batch fails with it at once, and its submitter decides whether to
 * try again. (Split, a batch of 24 reports became 24 transactions one after another on a
 * database that had just failed, each likely to fail the same way: under pg_terminate_backend
 * every 30–100 ms a report waited up to 4 s for its 500, and the queue behind it grew.)
 */
export class GroupCommit<I extends object, R> {
  private readonly queue: Queued<I, R>[] = [];
  private queuedWeight = 0;
  private flushing = 0;

  constructor(
    private readonly commit: (batch: Queued<I, R>[]) => Promise<void>,
    private readonly options: GroupCommitOptions<I>,
  ) {}

  private weigh(item: I): number {
    return this.options.weight?.(item) ?? 1;
  }

  submit(item: I): Promise<R> {
    const weight = this.weigh(item);
    if (this.queuedWeight > 0 && this.queuedWeight + weight > this.options.maxQueuedWeight) {
      return Promise.reject(
        new AppError("rate_limited", `the service is busy: too much is waiting to be written; try again in ${RETRY_AFTER_FULL_SECONDS} s`, RETRY_AFTER_FULL_SECONDS),
      );
    }
    this.queuedWeight += weight;
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, resolve, reject });
      if (this.flushing < this.options.concurrency) {
        this.flushing += 1;
        setImmediate(() => void this.drain());
      }
    });
  }

  private takeBatch(): Queued<I, R>[] {
    const batch: Queued<I, R>[] = [];
    let weight = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && weight + this.weigh(next) > this.options.maxBatchWeight) break;
      batch.push(this.queue.shift()!);
      weight += this.weigh(next);
    }
    this.queuedWeight -= weight;
    return batch;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        await this.commit(batch);
      } catch (error) {
        if (batch.length === 1 || isLostConnection(error)) {
          for (const item of batch) item.reject(error);
        } else {
          for (const item of batch) await this.commit([item]).catch((e: unknown) => item.reject(e));
        }
      }
    }
    this.flushing -= 1;
  }
}
