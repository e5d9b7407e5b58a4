import type { Account } from "../accounts/accounts.js";
import { loadWalletStates } from "../billing/wallet-state.js";
import type { Tx } from "../db/database.js";
import type { AppDeps } from "./context.js";
import { accountOut } from "./schemas/accounts.js";

/** Reads the accounts' wallet states (one query) and renders them as the API shows accounts. */
export async function viewAccounts(tx: Tx, deps: AppDeps, accounts: Account[]) {
  const states = await loadWalletStates(tx, deps.config.rates, accounts.map((a) => a.id));
  return accounts.map((account) => {
    const state = states.get(account.id);
    if (!state) throw new Error(`assertion: account ${account.id} has a wallet`);
    return accountOut(account, state);
  });
}

export async function viewAccount(tx: Tx, deps: AppDeps, account: Account) {
  return (await viewAccounts(tx, deps, [account]))[0]!;
}
