import type { AuditEntry } from "../api/types.js";

/*
 * The Activity list's words, pure (test/unit/audit-words.test.ts): the audit log's actions
 * and changes as a person reads them. An action this list does not know is shown as it is
 * rather than hidden: the log is the record.
 */

const ACTIONS: Record<string, string> = {
  "auto_recharge.updated": "Auto-Recharge settings changed",
  "payment_method.added": "Card added",
  "payment_method.removed": "Card removed",
  "account.updated": "Account settings changed",
  "webhook_endpoint.created": "Webhook endpoint added",
  "webhook_endpoint.deleted": "Webhook endpoint removed",
  "delivery.resent": "Delivery resent",
  "branding.updated": "Branding changed",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "api_key.rotated": "API key rotated",
  "session.opened": "Payments page opened for a person",
  "balance.adjusted": "Balance adjusted by the operator",
  "recharge.requested": "Funds added",
  "refund.requested": "Refund requested",
  "grant.issued": "Credit granted",
};

export const actionText = (action: string): string => ACTIONS[action] ?? action;

const ACTORS: Record<AuditEntry["actor"]["type"], string> = { api_key: "API key", session: "Payments page session", operator: "The operator" };

/** "API key key_3kX9…", "Payments page session ses_8iO1…", "The operator". */
export function actorText(actor: AuditEntry["actor"]): string {
  return actor.type === "operator" ? ACTORS.operator : `${ACTORS[actor.type]} ${actor.id}`;
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "string") return value === "" ? "empty" : value;
  return JSON.stringify(value);
}

/** "threshold: 5.00 → 10.00" per changed field; a field only added reads "entry_id: txn_…". */
export function changeLines(changes: AuditEntry["changes"]): string[] {
  return Object.entries(changes).map(([field, [before, after]]) =>
    before === null || before === undefined ? `${field}: ${valueText(after)}` : `${field}: ${valueText(before)} → ${valueText(after)}`,
  );
}
