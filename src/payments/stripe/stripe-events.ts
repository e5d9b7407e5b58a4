import { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import { MICROS_PER_CENT, type Micros } from "../../money/micros.js";
import type { ProviderEvent, ProviderRefund } from "../gateway.js";
import { failureCodeOf } from "./stripe-failure.js";

/**
 * What we read of a Stripe event, checked field by field before anything acts on it: a body
 * that verifies but is not an event (`[]`, `null`, `{}`, no `data`) is refused with a 400 that
 * says what is wrong, never a 500 (Stripe retries 5xx answers for days). Stripe sends more
 * fields than these; extra ones are ignored. Ids and names are bounded (Stripe's are < 255).
 */
const Id = z.string().min(1).max(255);
/** Stripe's amounts are whole cents as JSON numbers; converted to µUSD here and never used as numbers. */
const Cents = z.number().int().nonnegative().max(99_999_999_99);
const Metadata = z.record(z.string(), z.string()).nullish();
/** An expandable reference: the id, or the object with its id. */
const Ref = z.union([Id, z.object({ id: Id })]).nullish();

const EventShape = z.object({
  id: Id,
  type: Id,
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const IntentShape = z.object({
  id: Id,
  amount: Cents,
  currency: z.string().max(10),
  customer: Ref,
  metadata: Metadata,
  last_payment_error: z.object({ code: z.string().nullish(), decline_code: z.string().nullish(), message: z.string().max(5_000).nullish() }).nullish(),
});

const RefundShape = z.object({
  id: Id,
  amount: Cents,
  status: z.string().nullish(),
  payment_intent: Ref,
  metadata: Metadata,
});

const ChargeShape = z.object({
  id: Id,
  payment_intent: Ref,
  // Stripe bounds a list's page at 100; a charge has few refunds.
  refunds: z.object({ data: z.array(RefundShape).max(100) }).nullish(),
});

const DisputeShape = z.object({
  id: Id,
  amount: Cents,
  status: z.string().max(64),
  payment_intent: Ref,
});

/** The part of a verified Stripe event we read (the SDK's `Stripe.Event`, or any parsed JSON). */
export type StripeEventInput = unknown;

const microsOfCents = (cents: number): Micros => BigInt(cents) * MICROS_PER_CENT;
const refId = (ref: z.infer<typeof Ref>): string | null => (ref == null ? null : typeof ref === "string" ? ref : ref.id);

/** The parsed object, or a 400 naming the event type and the first field that is wrong. */
function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.length > 0 ? issue.path.join(".") : "(the whole body)";
  throw new AppError("invalid_request", `${what}: ${path}: ${issue.message}`);
}

/** The succeeded refunds among those Stripe listed, in our words (a pending or failed one moved no money). */
const succeededRefunds = (refunds: ReadonlyArray<z.infer<typeof RefundShape>>): ProviderRefund[] =>
  refunds
    .filter((r) => r.status === "succeeded")
    .map((r) => ({ refundId: r.id, amountMicros: microsOfCents(r.amount), ourRefundId: r.metadata?.refund_id ?? null }));

/**
 * A verified Stripe event in our words. Pure: billing settles what it says
 * (settleProviderEvent) after checking it against what it knows. A PaymentIntent that a
 * recharge made (its metadata names the recharge; its amount, currency and customer go along
 * for that check) and that succeeded or failed; refunds of a charge — `charge.refunded` with
 * the charge's refunds, or `refund.created`/`refund.updated` with one — whoever made them; and
 * disputes. Throws AppError `invalid_request` (400) for a body that is not such an event.
 */
export function translateStripeEvent(input: StripeEventInput): ProviderEvent {
  const event = parse(EventShape, input, "not a Stripe event");
  const head = { id: event.id, type: event.type };
  const object = event.data.object;
  const what = `${event.type} event's data.object`;
  if (event.type === "charge.refunded") {
    const charge = parse(ChargeShape, object, what);
    const intent = refId(charge.payment_intent);
    if (!intent) return { ...head, kind: "ignored", reason: "a charge without a PaymentIntent is not a prepaid recharge" };
    return { ...head, kind: "charge_refunded", chargeId: intent, refunds: succeededRefunds(charge.refunds?.data ?? []) };
  }
  if (event.type === "charge.dispute.created" || event.type === "charge.dispute.closed") {
    const dispute = parse(DisputeShape, object, what);
    if (event.type === "charge.dispute.created") {
      const intent = refId(dispute.payment_intent);
      if (!intent) return { ...head, kind: "ignored", reason: "a dispute without a PaymentIntent is not of a prepaid recharge" };
      return { ...head, kind: "dispute_opened", chargeId: intent, disputeId: dispute.id, amountMicros: microsOfCents(dispute.amount) };
    }
    if (dispute.status !== "won" && dispute.status !== "lost") return { ...head, kind: "ignored", reason: `a dispute closed as ${dispute.status}` };
    return { ...head, kind: "dispute_closed", disputeId: dispute.id, outcome: dispute.status };
  }
  if (event.type === "refund.created" || event.type === "refund.updated") {
    const refund = parse(RefundShape, object, what);
    const intent = refId(refund.payment_intent);
    if (!intent) return { ...head, kind: "ignored", reason: "a refund without a PaymentIntent is not of a prepaid recharge" };
    return { ...head, kind: "charge_refunded", chargeId: intent, refunds: succeededRefunds([refund]) };
  }
  if (event.type !== "payment_intent.succeeded" && event.type !== "payment_intent.payment_failed") {
    return { ...head, kind: "ignored", reason: "not a type we act on" };
  }
  const intent = parse(IntentShape, object, what);
  const rechargeId = intent.metadata?.recharge_id;
  if (!rechargeId) return { ...head, kind: "ignored", reason: "not a prepaid recharge" };
  if (intent.currency.toLowerCase() !== "usd") return { ...head, kind: "ignored", reason: `a payment in ${intent.currency}, not usd` };
  const payment = { rechargeId, chargeId: intent.id, amountMicros: microsOfCents(intent.amount), customerId: refId(intent.customer) };
  if (event.type === "payment_intent.succeeded") return { ...head, kind: "charge_succeeded", ...payment };
  const error = intent.last_payment_error ?? {};
  const code = failureCodeOf({ type: "card_error", code: error.code ?? undefined, decline_code: error.decline_code ?? undefined });
  return { ...head, kind: "charge_failed", ...payment, code, message: error.message ?? code };
}
