import type { ProviderEvent } from "../gateway.js";
import { failureCodeOf } from "./stripe-failure.js";

/** The part of a verified Stripe event we read. */
export interface StripeEventInput {
  id: string;
  type: string;
  data: { object: unknown };
}

interface IntentFields {
  id: string;
  metadata?: Record<string, string> | null;
  last_payment_error?: { code?: string; decline_code?: string; message?: string } | null;
}

/**
 * A verified Stripe event in our words. Pure: billing settles what it says
 * (settleProviderEvent). Only a PaymentIntent that a recharge made (its metadata names the
 * recharge) and that succeeded or failed means anything to us.
 */
export function translateStripeEvent(event: StripeEventInput): ProviderEvent {
  const head = { id: event.id, type: event.type };
  if (event.type !== "payment_intent.succeeded" && event.type !== "payment_intent.payment_failed") {
    return { ...head, kind: "ignored", reason: "not a type we act on" };
  }
  const intent = event.data.object as IntentFields;
  const rechargeId = intent.metadata?.recharge_id;
  if (!rechargeId) return { ...head, kind: "ignored", reason: "not a prepaid recharge" };
  if (event.type === "payment_intent.succeeded") return { ...head, kind: "charge_succeeded", rechargeId, chargeId: intent.id };
  const error = intent.last_payment_error ?? {};
  const code = failureCodeOf({ type: "card_error", code: error.code, decline_code: error.decline_code });
  return { ...head, kind: "charge_failed", rechargeId, code, message: error.message ?? code };
}
