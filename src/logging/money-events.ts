import { afterCommit } from "../db/after-commit.js";
import type { Tx } from "../db/database.js";
import { accountStatusChanges, providerEventsFlagged, recharges } from "../metrics/registry.js";
import { log } from "./logger.js";

/** The money events an operator follows in the logs (docs/production.md). */
export type MoneyEvent =
  | "recharge.created"
  | "recharge.succeeded"
  | "recharge.failed"
  | "recharge.unresolved"
  | "account.paused"
  | "account.resumed"
  | "refund.succeeded"
  | "refund.failed"
  | "dispute.opened"
  | "dispute.won"
  | "dispute.lost"
  | "grant.issued"
  | "grant.expired"
  | "fee.charged"
  /** A provider event (or part of one) that disagrees with what we know, not applied: an operator looks. */
  | "provider_event.flagged";

/**
 * One log line and one count for a money event, once its transaction commits (never for a
 * change that rolled back). Fields are ids, amounts as decimal strings and codes — never a
 * card, key or email.
 */
export function logMoneyEvent(tx: Tx, event: MoneyEvent, fields: Record<string, string | number | boolean | null>): void {
  afterCommit(tx, () => {
    if (event === "provider_event.flagged") {
      log.warn({ event, ...fields }, event);
      providerEventsFlagged.inc({ reason: String(fields.reason ?? "unknown") });
      return;
    }
    log.info({ event, ...fields }, event);
    if (event.startsWith("recharge.")) recharges.inc({ trigger: String(fields.trigger ?? "unknown"), outcome: event.slice("recharge.".length) });
    else if (event.startsWith("account.")) accountStatusChanges.inc({ to: event === "account.paused" ? "paused" : "active" });
  });
}
