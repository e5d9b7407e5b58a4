import { MICROS_PER_CENT, type Micros } from "../../money/micros.js";
import type { ProviderEvent, ProviderRefund } from "../gateway.js";
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

interface RefundFields {
  id: string;
  amount: number;
  status?: string | null;
  payment_intent?: string | null;
  metadata?: Record<string, string> | null;
}

interface DisputeFields {
  id: string;
  amount: number;
  status: string;
  payment_intent?: string | null;
}

interface ChargeFields {
  payment_intent?: string | null;
  refunds?: { data?: RefundFields[] } | null;
}

/** Stripe's amount, whole cents as a JSON number, as µUSD: converted here, at the edge, and never used as a number. */
function microsOfCents(cents: number): Micros {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new Error(`assertion: Stripe amounts are whole cents, not ${cents}`);
  return BigInt(cents) * MICROS_PER_CENT;
}

/** The succeeded refunds among those Stripe listed, in our words (a pending or failed one moved no money). */
const succeededRefunds = (refunds: readonly RefundFields[]): ProviderRefund[] =>
  refunds
    .filter((r) => r.status === "succeeded")
    .map((r) => ({ refundId: r.id, amountMicros: microsOfCents(r.amount), ourRefundId: r.metadata?.refund_id ?? null }));

/**
 * A verified Stripe event in our words. Pure: billing settles what it says
 * (settleProviderEvent). A PaymentIntent that a recharge made (its metadata names the
 * recharge) and that succeeded or failed; and refunds of a charge — `charge.refunded` with the
 * charge's refunds, or `refund.created`/`refund.updated` with one — whoever made them.
 */
export function translateStripeEvent(event: StripeEventInput): ProviderEvent {
  const head = { id: event.id, type: event.type };
  if (event.type === "charge.refunded") {
    const charge = event.data.object as ChargeFields;
    if (!charge.payment_intent) return { ...head, kind: "ignored", reason: "a charge without a PaymentIntent is not a prepaid recharge" };
    return { ...head, kind: "charge_refunded", chargeId: charge.payment_intent, refunds: succeededRefunds(charge.refunds?.data ?? []) };
  }
  if (event.type === "charge.dispute.created" || event.type === "charge.dispute.closed") {
    const dispute = event.data.object as DisputeFields;
    if (event.type === "charge.dispute.created") {
      if (!dispute.payment_intent) return { ...head, kind: "ignored", reason: "a dispute without a PaymentIntent is not of a prepaid recharge" };
      return { ...head, kind: "dispute_opened", chargeId: dispute.payment_intent, disputeId: dispute.id, amountMicros: microsOfCents(dispute.amount) };
    }
    if (dispute.status !== "won" && dispute.status !== "lost") return { ...head, kind: "ignored", reason: `a dispute closed as ${dispute.status}` };
    return { ...head, kind: "dispute_closed", disputeId: dispute.id, outcome: dispute.status };
  }
  if (event.type === "refund.created" || event.type === "refund.updated") {
    const refund = event.data.object as RefundFields;
    if (!refund.payment_intent) return { ...head, kind: "ignored", reason: "a refund without a PaymentIntent is not of a prepaid recharge" };
    return { ...head, kind: "charge_refunded", chargeId: refund.payment_intent, refunds: succeededRefunds([refund]) };
  }
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
