import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { queryRows, type Database, type Tx } from "../../db/database.js";
import { describeError } from "../../errors/describe-error.js";
import type { ChargeRequest, OnSessionPayment, PaymentGateway } from "../../payments/gateway.js";
import { planAfterCancel, planOnSession, type OnSessionStep } from "./on-session.js";
import { settleFailed, type Settler } from "./settle.js";

/**
 * The provider's answer, or `unknown(code, message)` when it throws or does not answer within
 * `timeoutMs` (refused connections, resets, a slow provider: we do not know what happened).
 */
export async function askProvider<T>(work: () => Promise<T>, timeoutMs: number, unknown: (code: string, message: string) => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(unknown("timeout", `no answer from the provider in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work(), timeout]);
  } catch (error) {
    return unknown("network_error", describeError(error));
  } finally {
    clearTimeout(timer);
  }
}

const unknownPayment = (code: string, message: string): OnSessionPayment => ({ state: "unknown", code, message });

/**
 * Setup and compute for an on-session top-up: what the provider says of its payment, and the
 * step (on-session.ts); a step that cancels is carried out here, and the step after it returned.
 */
export async function resolveOnSession(
  gateway: PaymentGateway,
  request: ChargeRequest,
  pastConfirmBy: boolean,
  timeoutMs: number,
): Promise<Exclude<OnSessionStep, { step: "cancel" }>> {
  if (!gateway.lookupOnSession || !gateway.cancelOnSession) {
    // Only Stripe makes on-session top-ups; a deployment switched to the sandbox since cannot see them.
    return { step: "ask_later", code: "provider_unavailable", message: "The payment's provider is not configured." };
  }
  const lookupOnSession = gateway.lookupOnSession.bind(gateway);
  const cancelOnSession = gateway.cancelOnSession.bind(gateway);
  const found = await askProvider(() => lookupOnSession(request), timeoutMs, unknownPayment);
  const step = planOnSession(found, pastConfirmBy);
  if (step.step !== "cancel") return step;
  const after = await askProvider(() => cancelOnSession(request), timeoutMs, unknownPayment);
  const next = planAfterCancel(after, step);
  if (next.step === "cancel") throw new Error("assertion: planAfterCancel never cancels again");
  return next;
}

/** The customer still has time: back to pending, looked at again at its `confirm_by`. */
export async function waitForCustomer(db: Database, rechargeId: string, attempt: number): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`update recharges set status = 'pending', next_attempt_at = confirm_by, lease_expires_at = null, updated_at = now()
        where id = ${rechargeId} and status = 'processing' and attempts = ${attempt}
        returning id`,
  );
  return rows.length > 0;
}

/** Settles a succeeded charge: provider-events' settleChargeSucceeded, handed in by the caller. */
export type SettleSucceededFn = (tx: Tx, config: Config, rechargeId: string, by: Settler, chargeId: string) => Promise<boolean>;

/**
 * Executes a look-up's step outside the worker (the page asked once the customer confirmed):
 * settles what is known, and leaves the rest to the worker (a wait, an unknown).
 */
export async function settleLookedUp(tx: Tx, config: Config, rechargeId: string, step: Exclude<OnSessionStep, { step: "cancel" }>, settleSucceeded: SettleSucceededFn): Promise<boolean> {
  switch (step.step) {
    case "settle_succeeded":
      return settleSucceeded(tx, config, rechargeId, "lookup", step.chargeId);
    case "settle_failed":
      return settleFailed(tx, config, rechargeId, "lookup", step.code, step.message);
    case "wait":
    case "ask_later":
      return false;
  }
}
