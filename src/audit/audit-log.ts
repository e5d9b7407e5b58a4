import { and, desc, eq } from "drizzle-orm";
import type { Actor } from "../accounts/principal.js";
import type { Tx } from "../db/database.js";
import { createdBefore, microsOf, pageOf, type CreatedKey } from "../db/keyset.js";
import { auditLog } from "../db/schema.js";
import { newId } from "../ids/prefixed-id.js";
import type { Changes } from "./changes.js";

/**
 * The closed set of audited changes (docs/concepts.md). Refunds and grants join with issue 18.
 */
export type AuditAction =
  | "auto_recharge.updated"
  | "payment_method.added"
  | "payment_method.removed"
  | "account.updated"
  | "webhook_endpoint.created"
  | "webhook_endpoint.deleted"
  | "delivery.resent"
  | "alerts.updated"
  | "branding.updated"
  | "api_key.created"
  | "api_key.revoked"
  | "api_key.rotated"
  | "session.opened"
  | "balance.adjusted"
  | "recharge.requested"
  | "refund.requested"
  | "grant.issued";

/** Who asked and in which request: the HTTP edge knows both and hands them down. */
export interface AuditSource {
  actor: Actor;
  requestId: string;
}

export interface AuditEntry {
  id: string;
  accountId: string;
  action: string;
  actor: Actor;
  requestId: string;
  changes: Changes;
  createdAt: string;
}

/**
 * Writes one audit row in `tx`, the transaction of the change itself: the change and its
 * record commit together or not at all. The table refuses UPDATE and DELETE (migration 0010).
 */
export async function recordAudit(tx: Tx, source: AuditSource, accountId: string, action: AuditAction, changes: Changes): Promise<void> {
  await tx.insert(auditLog).values({
    id: newId("aud"),
    accountId,
    action,
    actorType: source.actor.type,
    actorId: source.actor.id,
    requestId: source.requestId,
    changes,
  });
}

/** An account's audit log, newest first, keyset-paged on (created_at, id). */
export async function listAudit(tx: Tx, accountId: string, limit: number, after: CreatedKey | undefined): Promise<{ entries: AuditEntry[]; next: CreatedKey | undefined }> {
  const rows = await tx
    .select({
      id: auditLog.id,
      accountId: auditLog.accountId,
      action: auditLog.action,
      actorType: auditLog.actorType,
      actorId: auditLog.actorId,
      requestId: auditLog.requestId,
      changes: auditLog.changes,
      createdAt: auditLog.createdAt,
      createdMicros: microsOf(auditLog.createdAt).mapWith(BigInt),
    })
    .from(auditLog)
    .where(and(eq(auditLog.accountId, accountId), createdBefore(auditLog.createdAt, auditLog.id, after)))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit + 1);
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: last.createdMicros, id: last.id }));
  return {
    entries: page.map((r) => ({
      id: r.id,
      accountId: r.accountId,
      action: r.action,
      actor: { type: r.actorType, id: r.actorId },
      requestId: r.requestId,
      changes: r.changes as Changes,
      createdAt: r.createdAt.toISOString(),
    })),
    next,
  };
}
