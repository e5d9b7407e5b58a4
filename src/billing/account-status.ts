import { sql } from "drizzle-orm";
import type { AccountStatus } from "../accounts/accounts.js";
import { queryRows, type Tx } from "../db/database.js";
import { formatMicros } from "../money/micros.js";
import { notify } from "../notifications/notify.js";
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
  if (desired === "paused") {
    await notify(tx, {
      accountId: state.accountId,
      agencyId: state.agencyId,
      type: "account.paused",
      message:
        `Your account is paused: Auto-Recharge is failing (${state.settings.failureMessage ?? "payment failed"}) and the balance ` +
        `of $${formatMicros(state.balanceMicros)} no longer covers a minute. New calls are refused until you update your card or add credit.`,
      data: { balance: formatMicros(state.balanceMicros), failure_code: state.settings.failureCode },
    });
  } else {
    await notify(tx, {
      accountId: state.accountId,
      agencyId: state.agencyId,
      type: "account.resumed",
      message: `Your account is active again. Balance: $${formatMicros(state.balanceMicros)}.`,
      data: { balance: formatMicros(state.balanceMicros) },
    });
  }
  return desired;
}
