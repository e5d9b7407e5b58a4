import type { Recharge, Transaction } from "../api/types.js";
import { cardLabel, parseMicros, usdText } from "../money/display.js";
import { formatMicros } from "../../../src/money/micros.js";

/*
 * The words and rows of the History card, pure: what a billing user reads in place of the
 * ledger's raw types, ids and micro-dollars (issue 15, item 3). Unit-tested in
 * test/unit/statement.test.ts.
 */

/** "7 s", "1 min 35 s", "1 h 02 min": a call's billed length. */
export function durationText(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3_600) {
    const rest = seconds % 60;
    return rest === 0 ? `${Math.floor(seconds / 60)} min` : `${Math.floor(seconds / 60)} min ${rest} s`;
  }
  const minutes = Math.floor((seconds % 3_600) / 60);
  return `${Math.floor(seconds / 3_600)} h ${String(minutes).padStart(2, "0")} min`;
}

const TRIGGER_WORDS: Record<Recharge["trigger"], string> = {
  auto: "Auto-Recharge",
  // Saving settings below the threshold charged at once: still Auto-Recharge to the user.
  threshold_sync: "Auto-Recharge",
  manual: "Added funds",
  retry: "Auto-Recharge retry",
  // The backup card, charged once right after the primary card was declined.
  backup: "Auto-Recharge (backup card)",
};

/** "Auto-Recharge · Visa •••• 4242": what a payment was and the card it charged. */
export function rechargeLabel(recharge: Pick<Recharge, "trigger" | "card">): string {
  const what = TRIGGER_WORDS[recharge.trigger];
  return recharge.card ? `${what} · ${cardLabel(recharge.card)}` : what;
}

const STATUS_WORDS: Record<Recharge["status"], string> = {
  pending: "Pending",
  processing: "Processing",
  succeeded: "Paid",
  failed: "Failed",
};

export const rechargeStatusText = (status: Recharge["status"]): string => STATUS_WORDS[status];

/** "" when nothing was refunded; "refunded in full", or "$20.00 refunded". */
export function refundedText(r: Pick<Recharge, "amount" | "refunded">): string {
  const refunded = parseMicros(r.refunded);
  if (refunded <= 0n) return "";
  return refunded >= parseMicros(r.amount) ? "refunded in full" : `${usdText(r.refunded)} refunded`;
}

const TYPE_WORDS: Record<Transaction["type"], string> = { usage: "Call", recharge: "Payment", adjustment: "Adjustment", refund: "Refund", dispute: "Dispute", grant: "Credit", grant_expiry: "Credit expired", rebilling_margin: "Rebilling margin", fee: "Monthly fee" };

/**
 * One row of the transactions list: a run of a call's usage entries folded into one (a call
 * reports every 15–60 s, so a ten-minute call is ten or more entries), or any other entry.
 */
export interface StatementRow {
  key: string;
  type: string;
  description: string;
  /** The run's sum, exact (µUSD decimal, as the API writes money). */
  amount: string;
  /** After the newest entry of the run, and when it was posted: the balance column reads in that order. */
  balanceAfter: string;
  createdAt: string;
  entries: Transaction[];
}

/**
 * Folds adjacent usage entries of the same call (the list is newest first) into one row. Only
 * adjacent ones: entries of calls that overlapped interleave, and folding across another
 * entry would move money out of the order the balance column follows.
 */
export function statementRows(entries: readonly Transaction[]): StatementRow[] {
  const rows: StatementRow[] = [];
  for (const entry of entries) {
    const last = rows[rows.length - 1];
    if (last && entry.type === "usage" && entry.call_id !== null && last.entries[0]!.type === "usage" && last.entries[0]!.call_id === entry.call_id) {
      last.entries.push(entry);
      last.amount = formatMicros(parseMicros(last.amount) + parseMicros(entry.amount));
      continue;
    }
    rows.push({
      key: entry.id,
      type: TYPE_WORDS[entry.type],
      description: describeEntry(entry),
      amount: entry.amount,
      balanceAfter: entry.balance_after,
      createdAt: entry.created_at,
      entries: [entry],
    });
  }
  for (const row of rows) if (row.entries.length > 1) row.description = `${row.description} · ${row.entries.length} reports`;
  return rows;
}

function describeEntry(entry: Transaction): string {
  if (entry.type === "usage") return entry.call_id ? `Call ${entry.call_id}` : "Calls";
  if (entry.type === "recharge") return "Card payment";
  if (entry.type === "refund") return `Refund to your card${entry.reason ? `: ${entry.reason}` : ""}`;
  if (entry.type === "grant") return `Credit from the operator${entry.reason ? `: ${entry.reason}` : ""}`;
  if (entry.type === "grant_expiry") return "Unused credit from the operator expired";
  if (entry.type === "rebilling_margin") return entry.amount.startsWith("-") ? "Rebilling margin given back (a provider counted fewer seconds)" : "Margin on your subaccounts' calls and fees";
  if (entry.type === "fee") return `Monthly fee${entry.reason ? `: ${entry.reason}` : ""}`;
  if (entry.type === "dispute") return entry.amount.startsWith("-") ? "Card payment disputed with the bank" : "Dispute won: the payment counts again";
  return entry.reason ?? "Adjustment by the operator";
}
