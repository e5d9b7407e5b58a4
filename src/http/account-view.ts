import type { Account } from "../accounts/accounts.js";
import { spendLast24h } from "../billing/usage/usage-queries.js";
import { loadWalletStates } from "../billing/status/wallet-state.js";
import type { Tx } from "../db/database.js";
import type { AppDeps } from "./context.js";
import { accountOut } from "./schemas/accounts.js";

/** Reads the accounts' wallet states and last day's spend (two queries) and renders them as the API shows accounts. */
export async function viewAccounts(tx: Tx, deps: AppDeps, accounts: Account[]) {
  const ids = accounts.map((a) => a.id);
  const states = await loadWalletStates(tx, deps.config.rates, ids);
  const burns = await spendLast24h(tx, ids);
  return accounts.map((account) => {
    const state = states.get(account.id);
    if (!state) throw new Error(`assertion: account ${account.id} has a wallet`);
    return accountOut(account, state, burns.get(account.id) ?? 0n);
  });
}

export async function viewAccount(tx: Tx, deps: AppDeps, account: Account) {
  return (await viewAccounts(tx, deps, [account]))[0]!;
}
