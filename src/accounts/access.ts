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
