import { and, desc, eq } from "drizzle-orm";
import type { Actor } from "../accounts/principal.js";
import type { Tx } from "../db/database.js";
import { createdBefore, microsOf, pageOf, type CreatedKey } from "../db/keyset.js";
import { accounts, apiKeys, auditLog, sessions } from "../db/schema.js";
import { newId } from "../ids/prefixed-id.js";
import type { Changes } from "./changes.js";

/**
 * The closed set of audited changes (docs/concepts.md). Refunds and grants join with issue 18.
 */
export type AuditAction =
  | "auto_recharge.updated"
  | "payment_method.added"
  | "payment_method.removed"
  | "payment_method.default"
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
  | "grant.issued"
  | "account.created"
  | "subaccount.created"
  | "resale.updated"
  | "fee.created"
  | "fee.stopped";

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

/** Who acted, in words: the key's name (or its prefix), the kind of session, or the operator. */
export interface AuditEntryWithActor extends AuditEntry {
  actorLabel: string;
  accountName: string;
}

/** What an operator filters the log of every account by. */
export interface AuditFilter {
  accountId?: string | undefined;
  action?: string | undefined;
  actorType?: Actor["type"] | undefined;
  actorId?: string | undefined;
}

/**
 * Audit rows, newest first, keyset-paged on (created_at, id): one account's (`filter.accountId`)
 * or, for the operator, every account's, narrowed by action and actor. Each with its actor in
 * words (a key's name, read from the key; a session's role) and its account's name.
 */
export async function listAudit(
  tx: Tx,
  filter: AuditFilter,
  limit: number,
  after: CreatedKey | undefined,
): Promise<{ entries: AuditEntryWithActor[]; next: CreatedKey | undefined }> {
  const conditions = [
    createdBefore(auditLog.createdAt, auditLog.id, after),
    filter.accountId ? eq(auditLog.accountId, filter.accountId) : undefined,
    filter.action ? eq(auditLog.action, filter.action) : undefined,
    filter.actorType ? eq(auditLog.actorType, filter.actorType) : undefined,
    filter.actorId ? eq(auditLog.actorId, filter.actorId) : undefined,
  ].filter((c) => c !== undefined);
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
      keyName: apiKeys.name,
      keyPrefix: apiKeys.prefix,
      sessionRole: sessions.role,
      accountName: accounts.name,
    })
    .from(auditLog)
    .innerJoin(accounts, eq(accounts.id, auditLog.accountId))
    .leftJoin(apiKeys, and(eq(auditLog.actorType, "api_key"), eq(apiKeys.id, auditLog.actorId)))
    .leftJoin(sessions, and(eq(auditLog.actorType, "session"), eq(sessions.id, auditLog.actorId)))
    .where(and(...conditions))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit + 1);
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: last.createdMicros, id: last.id }));
  return {
    entries: page.map((r) => ({
      id: r.id,
      accountId: r.accountId,
      accountName: r.accountName,
      action: r.action,
      actor: { type: r.actorType, id: r.actorId },
      actorLabel: actorLabel(r),
      requestId: r.requestId,
      changes: r.changes as Changes,
      createdAt: r.createdAt.toISOString(),
    })),
    next,
  };
}

/** "API key “CI deploy”", "API key ppk_3kX9…", "Payments page (owner)", "The operator". Pure. */
export function actorLabel(r: { actorType: Actor["type"]; actorId: string; keyName: string | null; keyPrefix: string | null; sessionRole: string | null }): string {
  if (r.actorType === "operator") return "The operator";
  if (r.actorType === "session") return r.sessionRole === "operator" ? "The operator" : `Payments page (${r.sessionRole ?? "session"})`;
  if (r.keyName) return `API key “${r.keyName}”`;
  return r.keyPrefix ? `API key ${r.keyPrefix}…` : `API key ${r.actorId}`;
}
