import { sql } from "drizzle-orm";
import { queryRows, type Database } from "../db/database.js";
import { AppError } from "../errors/app-error.js";
import type { LimitedAction, RateLimits } from "../config/rate-limits.js";

/** Over a limit: 429 rate_limited, and the edge sets Retry-After from `retryAfterSeconds`. */
export class RateLimited extends AppError {
  constructor(
    readonly action: LimitedAction,
    override readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", `too many ${action.replaceAll("_", " ")}; try again in ${retryAfterSeconds} s`, retryAfterSeconds);
  }
}

/** One in this many hits also deletes windows that ended over a day ago: the table stays small. */
const SWEEP_EVERY_HITS = 500;

/**
 * Counts one `action` for `subject` (an account id or a client IP) in its fixed window, in a
 * table every process shares, and throws RateLimited when the count passes the limit. One
 * upsert: two processes counting at once both land, in either order.
 */
export async function countOrRefuse(db: Database, limits: RateLimits, action: LimitedAction, subject: string): Promise<void> {
  const { max, windowMs } = limits.windows[action];
  const windowSeconds = windowMs / 1000;
  const [row] = await queryRows<{ count: number; retry_after: number }>(
    db,
    sql`insert into rate_limit_counters (bucket, window_start, count)
        values (${`${action}:${subject}`}, to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds}), 1)
        on conflict (bucket, window_start) do update set count = rate_limit_counters.count + 1
        returning count, ceil(extract(epoch from window_start + make_interval(secs => ${windowSeconds}) - now()))::int as retry_after`,
  );
  if (Math.random() < 1 / SWEEP_EVERY_HITS) {
    await db.execute(sql`delete from rate_limit_counters where window_start < now() - interval '1 day'`);
  }
  if (Number(row!.count) > max) throw new RateLimited(action, Math.max(1, Number(row!.retry_after)));
}
