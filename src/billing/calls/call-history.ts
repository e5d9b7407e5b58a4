import { and, desc, eq } from "drizzle-orm";
import type { Tx } from "../../db/database.js";
import { createdBefore, microsOf, pageOf, type CreatedKey } from "../../db/keyset.js";
import { calls } from "../../db/schema.js";
import type { Micros } from "../../money/micros.js";

/**
 * One call as a statement shows it: its reports folded into the totals the calls row keeps
 * (every usage report posts through the row, in the report's transaction, so the row's totals
 * are the sum of the call's usage entries).
 */
export interface CallRecord {
  id: string;
  status: "active" | "ended";
  ratePerMinuteMicros: Micros;
  billedSeconds: number;
  billedMicros: Micros;
  startedAt: string;
  endedAt: string | null;
  /** What ended it: its final report, or the idle timeout (no report for PREPAID_CALL_IDLE_TIMEOUT). */
  endedBy: "report" | "idle_timeout" | null;
}

/** An account's calls, newest first by start, paged by (started_at, id) on calls_account_started_idx. */
export async function listCalls(tx: Tx, accountId: string, limit: number, before: CreatedKey | undefined): Promise<{ calls: CallRecord[]; next: CreatedKey | undefined }> {
  const rows = await tx
    .select({ call: calls, startedMicros: microsOf(calls.startedAt).mapWith(BigInt) })
    .from(calls)
    .where(and(eq(calls.accountId, accountId), createdBefore(calls.startedAt, calls.id, before)))
    .orderBy(desc(calls.startedAt), desc(calls.id))
    .limit(limit + 1);
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: last.startedMicros, id: last.call.id }));
  return {
    calls: page.map(({ call }) => ({
      id: call.id,
      status: call.status,
      ratePerMinuteMicros: call.ratePerMinuteMicros,
      billedSeconds: call.billedSeconds,
      billedMicros: call.billedMicros,
      startedAt: call.startedAt.toISOString(),
      endedAt: call.endedAt === null ? null : call.endedAt.toISOString(),
      endedBy: call.endedBy,
    })),
    next,
  };
}
