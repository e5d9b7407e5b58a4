import { and, desc, eq } from "drizzle-orm";
import type { Tx } from "../../db/database.js";
import { createdBefore, microsOf, pageOf, type CreatedKey } from "../../db/keyset.js";
import { calls, connectorCalls } from "../../db/schema.js";
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
  /**
   * What ended it: its final report, the idle timeout (no report for PREPAID_CALL_IDLE_TIMEOUT),
   * its voice provider's end event, or a refusal (a provider's call prepaid did not authorise).
   */
  endedBy: "report" | "idle_timeout" | "provider" | "refused" | null;
  /** Where it came from: the API (`POST /v1/calls`) or a voice provider's webhooks. */
  source: "api" | "twilio" | "vapi" | "retell";
  /** The provider's own id of the call (its console finds it by this). */
  providerCallId: string | null;
  /** What the provider counted; the final bill follows it. */
  providerDurationSeconds: number | null;
  /** Why prepaid refused the call (and hung it up at the provider). */
  refusedReason: string | null;
}

/** An account's calls, newest first by start, paged by (started_at, id) on calls_account_started_idx. */
export async function listCalls(tx: Tx, accountId: string, limit: number, before: CreatedKey | undefined): Promise<{ calls: CallRecord[]; next: CreatedKey | undefined }> {
  const rows = await tx
    .select({ call: calls, connector: connectorCalls, startedMicros: microsOf(calls.startedAt).mapWith(BigInt) })
    .from(calls)
    .leftJoin(connectorCalls, eq(connectorCalls.callId, calls.id))
    .where(and(eq(calls.accountId, accountId), createdBefore(calls.startedAt, calls.id, before)))
    .orderBy(desc(calls.startedAt), desc(calls.id))
    .limit(limit + 1);
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: last.startedMicros, id: last.call.id }));
  return {
    calls: page.map(({ call, connector }) => ({
      id: call.id,
      status: call.status,
      ratePerMinuteMicros: call.ratePerMinuteMicros,
      billedSeconds: call.billedSeconds,
      billedMicros: call.billedMicros,
      startedAt: call.startedAt.toISOString(),
      endedAt: call.endedAt === null ? null : call.endedAt.toISOString(),
      endedBy: call.endedBy,
      source: connector?.provider ?? "api",
      providerCallId: connector?.providerCallId ?? null,
      providerDurationSeconds: connector?.providerDurationSeconds ?? null,
      refusedReason: connector?.refusedReason ?? null,
    })),
    next,
  };
}
