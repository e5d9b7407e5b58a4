import { sql } from "drizzle-orm";
import { getAccount, setEmail, type Account } from "../../accounts/accounts.js";
import type { Config } from "../../config/config.js";
import type { Tx } from "../../db/database.js";
import { newId } from "../../ids/prefixed-id.js";
import { postEntry, type LedgerEntry } from "../../ledger/ledger.js";
import type { Micros } from "../../money/micros.js";
import { reconcileStatus } from "../status/account-status.js";
import { afterBalanceChange, notifyAlertCrossings } from "../recharges/auto-recharge.js";
import { loadWalletState } from "../status/wallet-state.js";
import { assignPlan } from "../plans/plans.js";

/**
 * Changes what an account may change of itself. Turning the Web Widget on or off is a pricing
 * and pause rule: calls already running keep the rate they started with, but a minute now
 * costs something else, so the pause rule is looked at again (under the wallet lock).
 */
export async function updateAccount(
  tx: Tx,
  config: Config,
  id: string,
  patch: { webWidget?: boolean | undefined; email?: string | null | undefined; maxConcurrentCalls?: number | null | undefined; pricePlanId?: string | undefined },
  now: Date = new Date(),
): Promise<{ before: Account; after: Account }> {
  // Under the wallet lock from the start: the pause rule needs it, and `before` is then the
  // account this change replaced even when two changes race (the audit log records both).
  await tx.execute(sql`select 1 from wallets where account_id = ${id} for update`);
  const before = await getAccount(tx, id);
  // A plan change is a pricing change like the widget's: under the wallet lock, a start sees the
  // old plan or the new one; running calls keep the rate fixed at their start.
  const pricePlanId = patch.pricePlanId;
  if (pricePlanId !== undefined) await repriced(tx, config, id, () => assignPlan(tx, config, id, pricePlanId, now));
  if (patch.webWidget !== undefined) await repriced(tx, config, id, () => tx.execute(sql`update accounts set web_widget = ${patch.webWidget} where id = ${id}`));
  if (patch.email !== undefined) await setEmail(tx, id, patch.email);
  // Under the wallet lock, like every start's check of it: a start sees the old limit or the new one.
  if (patch.maxConcurrentCalls !== undefined) await tx.execute(sql`update accounts set max_concurrent_calls = ${patch.maxConcurrentCalls} where id = ${id}`);
  return { before, after: await getAccount(tx, id) };
}

/**
 * A change of what a minute costs the account (its plan, its Web Widget), under its wallet
 * lock: the pause line moves with the rate, and so does an alert level in minutes — the same
 * balance may now be below it.
 */
async function repriced(tx: Tx, config: Config, id: string, change: () => Promise<unknown>): Promise<void> {
  const rateBefore = (await loadWalletState(tx, config.rates, id))?.ratePerMinuteMicros;
  await change();
  const state = await loadWalletState(tx, config.rates, id);
  if (!state || rateBefore === undefined) return;
  await reconcileStatus(tx, state);
  await notifyAlertCrossings(tx, state, { balanceMicros: state.balanceMicros, ratePerMinuteMicros: rateBefore });
}

/**
 * An operator's credit or debit by hand, as a new ledger entry (a correction is another
 * entry). A manual debit is a debit like usage: it may cross the threshold or pause the
 * account, so the balance rules run after it.
 */
export async function adjustBalance(tx: Tx, config: Config, accountId: string, amountMicros: Micros, reason: string, now: Date): Promise<LedgerEntry> {
  const { entry } = await postEntry(tx, { accountId, type: "adjustment", amountMicros, entryKey: `adjustment:${newId("txn")}`, reason });
  await afterBalanceChange(tx, config, accountId, entry.balanceAfterMicros - amountMicros, now);
  return entry;
}
