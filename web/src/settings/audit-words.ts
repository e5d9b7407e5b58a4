import type { AuditEntry } from "../api/types.js";
import { dateTimeText } from "../text/date-time.js";

/*
 * The Activity list's words, pure (test/unit/audit-words.test.ts): the audit log's actions
 * and changes as a person reads them — cards by their label, keys by their name, times in the
 * reader's zone, money with its dollar sign, ids only where nothing better names a thing. An
 * action or field this list does not know is shown as it is rather than hidden: the log is the
 * record.
 */

const ACTIONS: Record<string, string> = {
  "auto_recharge.updated": "Auto-Recharge settings changed",
  "payment_method.added": "Card added",
  "payment_method.removed": "Card removed",
  "payment_method.default": "Default card changed",
  "account.updated": "Account settings changed",
  "account.created": "Account opened",
  "subaccount.created": "Subaccount opened",
  "webhook_endpoint.created": "Webhook endpoint added",
  "webhook_endpoint.deleted": "Webhook endpoint removed",
  "delivery.resent": "Delivery resent",
  "alerts.updated": "Balance alerts changed",
  "branding.updated": "Branding changed",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "api_key.rotated": "API key rotated",
  "session.opened": "Payments page opened for a person",
  "balance.adjusted": "Balance adjusted by the operator",
  "recharge.requested": "Funds added",
  "refund.requested": "Refund requested",
  "grant.issued": "Credit granted",
  "resale.updated": "Resale prices changed",
  "fee.created": "Monthly fee added",
  "fee.stopped": "Monthly fee stopped",
};

export const actionText = (action: string): string => ACTIONS[action] ?? action;

/** Who acted: the server's label ("API key “CI deploy”", "Payments page (owner)", "The operator"). */
export function actorText(actor: AuditEntry["actor"]): string {
  return actor.label;
}

const FIELDS: Record<string, string> = {
  enabled: "Auto-Recharge",
  threshold: "Minimum Threshold",
  amount: "Amount",
  mode: "How much to charge",
  target: "Target balance",
  monthly_limit: "Monthly limit",
  card: "Card",
  backup_card: "Backup card",
  // The sentence the customer agreed to (a consent record, cns_…), word for word.
  consent: "Agreed to",
  web_widget: "Web Widget",
  email: "Email",
  max_concurrent_calls: "Calls at once",
  name: "Name",
  type: "Type",
  scope: "Scope",
  prefix: "Key",
  expires_at: "Expires",
  revoked_at: "Revoked",
  old_key_expires_at: "Old key works until",
  url: "URL",
  display_name: "Display name",
  logo_url: "Logo",
  accent_color: "Accent colour",
  levels: "Levels",
  reason: "Reason",
  balance: "Balance",
  entry_id: "Ledger entry",
  category: "Category",
  brand: "Brand",
  last4: "Last 4",
  expiry: "Expiry",
  is_default: "Default card",
  role: "Role",
  replaced_payment_method_id: "Replaced the saved copy",
  ttl_seconds: "Lasts (seconds)",
};

/** Money fields: shown with their dollar sign. */
const MONEY = new Set(["threshold", "amount", "target", "monthly_limit", "balance"]);

/**
 * Ids a label says better, by action: the card's label stands for `payment_method_id`, a key's
 * name for its `id`; the rest of a row's ids stay (they are what support asks for).
 */
const SAID_BETTER: Record<string, (changes: AuditEntry["changes"]) => boolean> = {
  payment_method_id: (c) => "card" in c,
  id: (c) => "name" in c || "prefix" in c || "last4" in c,
  parent_id: () => false,
};

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const MODES: Record<string, string> = { fixed: "a fixed amount", target: "top up to a target" };

function valueText(field: string, value: unknown): string {
  if (value === null || value === undefined) return field === "card" ? "the default card" : "none";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "string") {
    if (value === "") return "empty";
    if (MONEY.has(field) && /^-?\d+(\.\d+)?$/.test(value)) return value.startsWith("-") ? `−$${value.slice(1)}` : `$${value}`;
    if (field === "mode") return MODES[value] ?? value;
    if (ISO.test(value)) return dateTimeText(value);
    return value;
  }
  return JSON.stringify(value);
}

/** "Minimum Threshold: $5.00 → $10.00" per changed field; a value only set reads "Name: CI deploy". */
export function changeLines(changes: AuditEntry["changes"]): string[] {
  return Object.entries(changes)
    .filter(([field]) => !SAID_BETTER[field]?.(changes))
    // Nothing on either side says nothing ("Replaced card: none").
    .filter(([, [before, after]]) => !((before === null || before === undefined) && (after === null || after === undefined)))
    .map(([field, [before, after]]) => {
      const label = FIELDS[field] ?? field;
      if (before === null || before === undefined) return `${label}: ${valueText(field, after)}`;
      // A value that did not change names the thing the row is about ("Name: CI deploy").
      if (JSON.stringify(before) === JSON.stringify(after)) return `${label}: ${valueText(field, after)}`;
      return `${label}: ${valueText(field, before)} → ${valueText(field, after)}`;
    });
}

/** The row's headline: the action, and what it was about when one value names it. */
export function entryTitle(entry: Pick<AuditEntry, "action" | "changes">): string {
  const name = entry.changes.name?.[1] ?? entry.changes.name?.[0];
  if (entry.action.startsWith("api_key.") && typeof name === "string") return `${actionText(entry.action)}: “${name}”`;
  const card = entry.changes.card?.[1];
  if (entry.action === "auto_recharge.updated" && "card" in entry.changes && Object.keys(entry.changes).every((f) => f === "card" || f === "payment_method_id")) {
    return `Auto-Recharge now charges ${valueText("card", card)}`;
  }
  return actionText(entry.action);
}
