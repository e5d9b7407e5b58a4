import { afterCommit } from "../db/after-commit.js";
import { log } from "./logger.js";

/** The money events an operator follows in the logs (DESIGN §7); refunds join with issue 18. */
export type MoneyEvent =
  | "recharge.created"
  | "recharge.succeeded"
  | "recharge.failed"
  | "recharge.unresolved"
  | "account.paused"
  | "account.resumed";

/**
 * One log line for a money event, written once its transaction commits (never for a change
 * that rolled back). Fields are ids, amounts as decimal strings and codes — never a card,
 * key or email.
 */
export function logMoneyEvent(event: MoneyEvent, fields: Record<string, string | number | boolean | null>): void {
  afterCommit(() => log.info({ event, ...fields }, event));
}
