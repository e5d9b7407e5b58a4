import type { Context } from "hono";
import { authorize, type Need } from "../accounts/access.js";
import { findAccount, type Account } from "../accounts/accounts.js";
import { notFound } from "../errors/app-error.js";
import type { AppEnv } from "./context.js";

/** Loads the account named in the path and applies the access rules for `need`. */
export async function authorizedAccount(c: Context<AppEnv>, id: string, need: Need): Promise<Account> {
  const account = await findAccount(c.get("deps").db, id);
  if (!account) throw notFound("account");
  authorize(c.get("principal"), account, need);
  return account;
}
