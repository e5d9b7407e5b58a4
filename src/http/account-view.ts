import type { Account } from "../accounts/accounts.js";
import { loadWalletState } from "../billing/wallet-state.js";
import type { Tx } from "../db/database.js";
import type { AppDeps } from "./context.js";
import { accountOut } from "./schemas/accounts.js";

/** Reads an account's wallet state and renders it as the API shows accounts. */
export async function viewAccount(tx: Tx, deps: AppDeps, account: Account) {
  const state = await loadWalletState(tx, deps.config.rates, account.id);
  if (!state) throw new Error(`assertion: account ${account.id} has a wallet`);
  return accountOut(account, state);
}
