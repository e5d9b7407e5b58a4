import type { Config } from "../../config/config.js";
import { inTransaction, type Database } from "../../db/database.js";
import type { ChargeOutcome, ChargeRequest, PaymentGateway } from "../../payments/gateway.js";
import { askProvider, resolveOnSession, settleLookedUp } from "../recharges/on-session-settle.js";
import type { Recharge } from "../recharges/recharges.js";
import { settleChargeSucceeded } from "./provider-events.js";

/**
 * The page's look-up once the customer confirmed a payment at Stripe (an on-session top-up, or
 * a charge the bank held for authentication): what Stripe says settles it now, instead of when
 * its event arrives. Either may come first; the second finds the recharge closed. A payment
 * still awaiting the customer, or one Stripe did not answer for, is left to the worker.
 * `providerRef`: the card's id at the provider (null: the card was removed; nothing to ask).
 */
export async function lookUpConfirmed(db: Database, config: Config, gateway: PaymentGateway, recharge: Recharge, providerRef: string | null): Promise<void> {
  if (providerRef === null) return;
  const request: ChargeRequest = { idempotencyKey: recharge.id, attempt: recharge.attempts, amountMicros: recharge.amountMicros, providerRef, accountId: recharge.accountId };
  if (recharge.confirmBy !== null && (recharge.status === "pending" || recharge.status === "processing")) {
    // Before confirm_by: a payment not confirmed yet is waited for, never cancelled from here.
    const step = await resolveOnSession(gateway, request, false, config.gatewayTimeoutMs);
    await inTransaction(db, (tx) => settleLookedUp(tx, config, recharge.id, step, settleChargeSucceeded));
    return;
  }
  if (recharge.status === "failed" && recharge.failureCode === "authentication_required") {
    const outcome = await askProvider<ChargeOutcome | undefined>(() => gateway.lookup(request), config.gatewayTimeoutMs, (code, message) => ({ status: "unknown", code, message }));
    if (outcome?.status === "succeeded") await inTransaction(db, (tx) => settleChargeSucceeded(tx, config, recharge.id, "lookup", outcome.chargeId));
  }
}
