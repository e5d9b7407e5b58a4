import { sql } from "drizzle-orm";
import type { AccountStatus } from "../../accounts/accounts.js";
import { queryRows, type Tx } from "../../db/database.js";
import { logMoneyEvent } from "../../logging/money-events.js";
import { formatMicros } from "../../money/micros.js";
import { notify } from "../../notifications/notify.js";
import type { WalletState } from "./wallet-state.js";

/** Pure: paused while Auto-Recharge is failing and the balance no longer covers one minute. */
export function desiredStatus(state: Pick<WalletState, "settings" | "balanceMicros" | "minuteCostMicros">): AccountStatus {
  return state.settings.failing && state.balanceMicros < state.minuteCostMicros ? "paused" : "active";
}

/**
 * Brings the account's status in line with its wallet state and notifies a change.
 * Callers hold the wallet lock, so two transactions cannot both flip it.
 */
export async function reconcileStatus(tx: Tx, state: WalletState): Promise<AccountStatus> {
  const desired = desiredStatus(state);
  if (desired === state.status) return desired;
  const changed = await queryRows(
    tx,
    sql`update accounts set status = ${desired} where id = ${state.accountId} and status <> ${desired} returning id`,
  );
  if (changed.length === 0) return desired;
  logMoneyEvent(tx, desired === "paused" ? "account.paused" : "account.resumed", {
    account_id: state.accountId,
    balance: formatMicros(state.balanceMicros),
    ...(desired === "paused" ? { failure_code: state.settings.failureCode } : {}),
  });
  if (desired === "paused") {
    await notify(tx, {
      accountId: state.accountId,
      agencyId: state.agencyId,
      event: { type: "account.paused", balanceMicros: state.balanceMicros, failureCode: state.settings.failureCode, failureMessage: state.settings.failureMessage },
    });
  } else {
    await notify(tx, { accountId: state.accountId, agencyId: state.agencyId, event: { type: "account.resumed", balanceMicros: state.balanceMicros } });
  }
  return desired;
}
