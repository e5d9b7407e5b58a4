import type { Context } from "hono";
import { inTransaction, type Tx } from "../db/database.js";
import type { AppEnv } from "./context.js";

/**
 * The one place a route's writes commit: `work` in one transaction, then the after-commit
 * hook, which wakes the workers for what it may have created (a recharge to charge, a card
 * removed under a waiting retry, a provider event that settled one) instead of leaving it for
 * their next poll. A request that fails commits nothing and wakes no one.
 */
export async function commitRequest<T>(c: Context<AppEnv>, work: (tx: Tx) => Promise<T>): Promise<T> {
  const deps = c.get("deps");
  const result = await inTransaction(deps.db, work);
  deps.afterCommit();
  return result;
}
