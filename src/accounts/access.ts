import { AppError, notFound } from "../errors/app-error.js";
import type { Principal } from "./principal.js";

export type Need = "read" | "write";

/**
 * The access rules of docs/concepts.md, in one place:
 * - an account reads and writes itself;
 * - an agency reads its subaccounts (monitoring) but may not write to them: 403;
 * - the operator reads everything; the account-owner writes are the account's own;
 * - anything else is someone else's object: 404, so its existence is not disclosed.
 */
export function authorize(principal: Principal, target: { id: string; parentId: string | null }, need: Need): void {
  if (principal.kind === "admin") {
    if (need === "read") return;
    throw new AppError("forbidden", "only the account itself can change this; the operator key cannot");
  }
  if (principal.accountId === target.id) return;
  if (target.parentId !== null && principal.accountId === target.parentId) {
    if (need === "read") return;
    throw new AppError("forbidden", "an agency can monitor its subaccounts but cannot change their settings");
  }
  throw notFound("account");
}

export function requireAdmin(principal: Principal): void {
  if (principal.kind !== "admin") throw new AppError("forbidden", "this needs the operator (admin) key");
}

/**
 * What an agency may do to its subaccounts beyond watching them (docs/plans.md): put a fee on
 * them at its own price. The operator may too; the account itself may not (403); anyone else
 * gets 404. Auto-Recharge and every other setting stay the subaccount's own (`authorize`).
 */
export function authorizeAgencyOrOperator(principal: Principal, target: { id: string; parentId: string | null }): void {
  if (principal.kind === "admin") return;
  if (target.parentId !== null && principal.accountId === target.parentId) return;
  if (principal.accountId === target.id) throw new AppError("forbidden", "only the operator, or the account's agency, sets its fees");
  throw notFound("account");
}
