import { z } from "@hono/zod-openapi";
import type { LedgerEntry } from "../../ledger/ledger.js";
import { formatMicros } from "../../money/micros.js";
import { Money, SignedAmountInput } from "./money.js";
import { EXAMPLES } from "./examples.js";

export const TransactionOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    type: z.enum(["usage", "recharge", "adjustment", "refund", "dispute", "grant", "grant_expiry", "rebilling_margin", "fee"]).openapi({
      description:
        "`refund`: money given back on a charge (its `recharge_id`), a debit; `dispute`: a charge the card holder disputed (a debit), or the dispute won (a credit); `grant`: promotional or compensation credit from the operator; `grant_expiry`: what was left of a grant when it expired (a debit); `rebilling_margin`: an agency's margin on its subaccounts' usage and fees at its resale prices (a credit; a debit only where a provider's own count gave seconds back); `fee`: a recurring fee's charge for one period (a debit; `reason` names the fee)",
    }),
    amount: Money.openapi({ description: "signed: credits positive, debits negative" }),
    balance_after: Money,
    call_id: z.string().nullable(),
    recharge_id: z.string().nullable(),
    reason: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("Transaction", { example: EXAMPLES.Transaction });

export function transactionOut(entry: LedgerEntry): z.infer<typeof TransactionOut> {
  return {
    id: entry.id,
    account_id: entry.accountId,
    type: entry.type,
    amount: formatMicros(entry.amountMicros),
    balance_after: formatMicros(entry.balanceAfterMicros),
    call_id: entry.callId,
    recharge_id: entry.rechargeId,
    reason: entry.reason,
    created_at: entry.createdAt,
  };
}

export const AdjustmentIn = z
  .object({
    amount: SignedAmountInput,
    reason: z.string().trim().min(1).max(500),
  })
  .strict()
  .openapi("Adjustment", { example: EXAMPLES.Adjustment });
