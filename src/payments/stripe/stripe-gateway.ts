import { sql } from "drizzle-orm";
import Stripe from "stripe";
import type { StripeConfig } from "../../config/config.js";
import type { Database } from "../../db/database.js";
import { invalidField } from "../../errors/app-error.js";
import { MICROS_PER_CENT, type Micros } from "../../money/micros.js";
import { isExpired } from "../card-number.js";
import { failureAdvice } from "../decline.js";
import type { CardSetup, CardToSave, ChargeOutcome, ChargeRequest, OnSessionPayment, PaymentAuthentication, PaymentGateway, RefundOutcome, RefundRequest, SavedCard } from "../gateway.js";
import { stripeCustomerOf } from "./stripe-customers.js";
import { failureCodeOf, type StripeFailure } from "./stripe-failure.js";

function cents(amountMicros: Micros): number {
  if (amountMicros % MICROS_PER_CENT !== 0n || amountMicros <= 0n) throw new Error(`assertion: a recharge is whole cents, not ${amountMicros} µUSD`);
  return Number(amountMicros / MICROS_PER_CENT);
}

function failed(failure: StripeFailure, providerMessage?: string): Extract<ChargeOutcome, { status: "failed" }> {
  const code = failureCodeOf(failure);
  return { status: "failed", code, message: providerMessage ?? failureAdvice(code).message };
}

/** What a PaymentIntent's state says about the charge. */
function outcomeOfIntent(pi: Stripe.PaymentIntent): ChargeOutcome {
  switch (pi.status) {
    case "succeeded":
      return { status: "succeeded", chargeId: pi.id };
    case "processing":
      // Stripe has it and will tell us (webhook, or the next look): the outcome is not known yet.
      return { status: "unknown", code: "provider_unavailable", message: "The payment is still processing at Stripe." };
    case "requires_action":
      return failed({ type: "card_error", code: "authentication_required" });
    default: {
      const error = pi.last_payment_error;
      return error ? failed({ type: "card_error", code: error.code, decline_code: error.decline_code }, error.message) : failed({ type: "card_error", code: "card_declined" });
    }
  }
}

/** What an on-session PaymentIntent's state says (the customer confirms it in the page). */
function onSessionOf(pi: Stripe.PaymentIntent): OnSessionPayment {
  switch (pi.status) {
    case "succeeded":
      return { state: "succeeded", chargeId: pi.id };
    case "canceled":
      return { state: "canceled" };
    case "processing":
      return { state: "unknown", code: "provider_unavailable", message: "The payment is still processing at Stripe." };
    case "requires_payment_method": {
      // Made and never confirmed, or a confirmation that failed (a failed challenge, a decline).
      const error = pi.last_payment_error;
      if (!error) return { state: "awaiting_customer" };
      const outcome = failed({ type: "card_error", code: error.code, decline_code: error.decline_code }, error.message);
      return { state: "failed", code: outcome.code, message: outcome.message };
    }
    default:
      return { state: "awaiting_customer" };
  }
}

/** The PaymentIntent states Stripe lets us cancel before it charged. */
const CANCELABLE = new Set(["requires_payment_method", "requires_confirmation", "requires_action"]);

/**
 * A request that never reached Stripe or whose answer was lost (a connection error, a 5xx) may
 * have charged: unknown, looked up before anything else. The rest are Stripe's own refusals.
 */
function asFailure(error: unknown): Exclude<ChargeOutcome, { status: "succeeded" }> {
  if (error instanceof Stripe.errors.StripeError) {
    const outcome = failed({ type: error.type, statusCode: error.statusCode, code: error.code, decline_code: (error as Stripe.errors.StripeCardError).decline_code }, error.message);
    const mayHaveCharged = error instanceof Stripe.errors.StripeConnectionError || error instanceof Stripe.errors.StripeAPIError || (error.statusCode ?? 0) >= 500;
    return mayHaveCharged && outcome.status === "failed" ? { ...outcome, status: "unknown" } : outcome;
  }
  throw error;
}

/**
 * Payments through Stripe with the official SDK. Each account has a Stripe customer; cards are
 * saved by the browser at Stripe (SetupIntent or payment method), and we receive only the
 * payment method's id. A recharge is one PaymentIntent, created off-session and confirmed at
 * once with the recharge id as idempotency key and in its metadata. A retry (after a soft
 * failure or a lost answer) first finds that PaymentIntent and confirms it again under a new
 * key per attempt — re-sending the first key would only replay Stripe's first answer — and
 * never creates a second one.
 */
export class StripeGateway implements PaymentGateway {
  readonly provider = "stripe" as const;
  readonly stripe: Stripe;

  constructor(
    private readonly db: Database,
    private readonly config: StripeConfig,
    timeoutMs: number,
  ) {
    const base = config.apiBase;
    this.stripe = new Stripe(config.secretKey, {
      host: base.hostname,
      port: base.port || (base.protocol === "https:" ? 443 : 80),
      protocol: base.protocol === "http:" ? "http" : "https",
      // The worker retries, looking the charge up first; the SDK's own retries would hide that.
      maxNetworkRetries: 0,
      timeout: timeoutMs,
      telemetry: false,
    });
  }

  private storedCustomer(accountId: string): Promise<string | undefined> {
    return stripeCustomerOf(this.db, accountId);
  }

  /** The account's Stripe customer, created once (two racing saves share it through the idempotency key). */
  async customerFor(accountId: string): Promise<string> {
    const stored = await this.storedCustomer(accountId);
    if (stored) return stored;
    const customer = await this.stripe.customers.create({ metadata: { account_id: accountId } }, { idempotencyKey: `prepaid-customer-${accountId}` });
    await this.db.execute(sql`insert into stripe_customers (account_id, customer_id) values (${accountId}, ${customer.id}) on conflict do nothing`);
    const saved = await this.storedCustomer(accountId);
    if (!saved) throw new Error("assertion: the customer row exists after insert");
    return saved;
  }

  async startCardSetup(accountId: string): Promise<CardSetup> {
    const customer = await this.customerFor(accountId);
    const intent = await this.stripe.setupIntents.create({ customer, usage: "off_session" });
    if (!intent.client_secret) throw new Error("assertion: a SetupIntent has a client secret");
    return { setupIntentId: intent.id, clientSecret: intent.client_secret, publishableKey: this.config.publishableKey ?? null, apiBase: this.config.apiBase.origin };
  }

  async saveCard(accountId: string, input: CardToSave): Promise<SavedCard> {
    if (input.kind !== "provider_payment_method") {
      throw invalidField("card", "card numbers are not accepted with Stripe; create the payment method at Stripe (Stripe.js) and send provider_payment_method");
    }
    let pm: Stripe.PaymentMethod;
    try {
      pm = await this.stripe.paymentMethods.retrieve(input.ref);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError) throw invalidField("provider_payment_method", "Stripe has no such payment method");
      throw error;
    }
    if (!pm.card) throw invalidField("provider_payment_method", "not a card");
    if (isExpired(pm.card.exp_month, pm.card.exp_year, new Date())) throw invalidField("provider_payment_method", "the card has expired");
    const customer = await this.customerFor(accountId);
    const owner = typeof pm.customer === "string" ? pm.customer : pm.customer?.id;
    if (owner && owner !== customer) throw invalidField("provider_payment_method", "it belongs to another customer");
    if (!owner) await this.stripe.paymentMethods.attach(pm.id, { customer }, { idempotencyKey: `prepaid-attach-${pm.id}-${customer}` });
    return { providerRef: pm.id, brand: pm.card.brand, last4: pm.card.last4, expMonth: pm.card.exp_month, expYear: pm.card.exp_year, fingerprint: pm.card.fingerprint ?? null };
  }

  /** The PaymentIntent made for a recharge, if Stripe has one (listing is consistent; search is not). */
  private async findIntent(customer: string, rechargeId: string): Promise<Stripe.PaymentIntent | undefined> {
    for await (const pi of this.stripe.paymentIntents.list({ customer, limit: 100 })) {
      if (pi.metadata.recharge_id === rechargeId) return pi;
    }
    return undefined;
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    try {
      const customer = await this.customerFor(request.accountId);
      const existing = request.attempt > 1 ? await this.findIntent(customer, request.idempotencyKey) : undefined;
      if (existing) {
        if (existing.status !== "requires_payment_method" && existing.status !== "requires_confirmation") return outcomeOfIntent(existing);
        const confirmed = await this.stripe.paymentIntents.confirm(
          existing.id,
          { payment_method: request.providerRef, off_session: true },
          { idempotencyKey: `prepaid-recharge-${request.idempotencyKey}-attempt-${request.attempt}` },
        );
        return outcomeOfIntent(confirmed);
      }
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: cents(request.amountMicros),
          currency: "usd",
          customer,
          payment_method: request.providerRef,
          off_session: true,
          confirm: true,
          description: "prepaid credit",
          // The consent the merchant-initiated charge rests on: what a platform shows in a chargeback.
          metadata: { recharge_id: request.idempotencyKey, account_id: request.accountId, ...(request.consentId ? { consent_id: request.consentId } : {}) },
        },
        { idempotencyKey: `prepaid-recharge-${request.idempotencyKey}` },
      );
      return outcomeOfIntent(pi);
    } catch (error) {
      return asFailure(error);
    }
  }

  async startAuthentication(accountId: string, rechargeId: string): Promise<PaymentAuthentication | undefined> {
    const customer = await this.storedCustomer(accountId);
    const pi = customer ? await this.findIntent(customer, rechargeId) : undefined;
    if (!pi?.client_secret || !["requires_payment_method", "requires_action", "requires_confirmation"].includes(pi.status)) return undefined;
    return this.authenticationOf(pi, pi.last_payment_error?.payment_method?.id ?? null);
  }

  private authenticationOf(pi: Stripe.PaymentIntent, fallbackPaymentMethod: string | null): PaymentAuthentication {
    if (!pi.client_secret) throw new Error("assertion: a PaymentIntent has a client secret");
    const attached = typeof pi.payment_method === "string" ? pi.payment_method : (pi.payment_method?.id ?? null);
    return {
      paymentIntentId: pi.id,
      clientSecret: pi.client_secret,
      paymentMethod: attached ?? fallbackPaymentMethod,
      publishableKey: this.config.publishableKey ?? null,
      apiBase: this.config.apiBase.origin,
    };
  }

  /**
   * The top-up's PaymentIntent, not confirmed: the page confirms it with Stripe.js as the
   * customer (a challenge shows there). Found first, then created under the recharge's key, so
   * asking again never makes a second one. Card only; the amount and card are ours, not the page's.
   */
  async startOnSessionPayment(request: ChargeRequest): Promise<PaymentAuthentication> {
    const customer = await this.customerFor(request.accountId);
    const existing = await this.findIntent(customer, request.idempotencyKey);
    const pi =
      existing ??
      (await this.stripe.paymentIntents.create(
        {
          amount: cents(request.amountMicros),
          currency: "usd",
          customer,
          payment_method: request.providerRef,
          allowed_payment_method_types: ["card"],
          description: "prepaid credit",
          metadata: { recharge_id: request.idempotencyKey, account_id: request.accountId, on_session: "true" },
        },
        { idempotencyKey: `prepaid-recharge-${request.idempotencyKey}` },
      ));
    return this.authenticationOf(pi, request.providerRef);
  }

  async lookupOnSession(request: ChargeRequest): Promise<OnSessionPayment | undefined> {
    const customer = await this.storedCustomer(request.accountId);
    const pi = customer ? await this.findIntent(customer, request.idempotencyKey) : undefined;
    return pi && onSessionOf(pi);
  }

  /** Cancels it while it can still charge nothing; a payment that succeeded meanwhile stays succeeded (Stripe refuses to cancel it). */
  async cancelOnSession(request: ChargeRequest): Promise<OnSessionPayment | undefined> {
    const customer = await this.storedCustomer(request.accountId);
    const pi = customer ? await this.findIntent(customer, request.idempotencyKey) : undefined;
    if (!pi || !CANCELABLE.has(pi.status)) return pi && onSessionOf(pi);
    try {
      return onSessionOf(await this.stripe.paymentIntents.cancel(pi.id, { cancellation_reason: "abandoned" }, { idempotencyKey: `prepaid-cancel-${request.idempotencyKey}` }));
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
      // It moved on meanwhile (the customer confirmed it): what it is now.
      return this.lookupOnSession(request);
    }
  }

  async lookup(request: ChargeRequest): Promise<ChargeOutcome | undefined> {
    const customer = await this.storedCustomer(request.accountId);
    if (!customer) return undefined;
    const pi = await this.findIntent(customer, request.idempotencyKey);
    return pi && outcomeOfIntent(pi);
  }

  /**
   * A refund of the recharge's PaymentIntent, with the refund id as idempotency key and in its
   * metadata. Looked for first (a refund whose answer was lost exists at Stripe already, and
   * replaying the key would only repeat the first answer, perhaps still `pending`).
   */
  async refund(request: RefundRequest): Promise<RefundOutcome> {
    try {
      let refund: Stripe.Refund | undefined;
      for await (const r of this.stripe.refunds.list({ payment_intent: request.chargeId, limit: 100 })) {
        if (r.metadata?.refund_id === request.idempotencyKey) refund = r;
      }
      refund ??= await this.stripe.refunds.create(
        {
          payment_intent: request.chargeId,
          amount: cents(request.amountMicros),
          metadata: { refund_id: request.idempotencyKey, recharge_id: request.rechargeId, account_id: request.accountId },
        },
        { idempotencyKey: `prepaid-refund-${request.idempotencyKey}` },
      );
      if (refund.status === "succeeded") return { status: "succeeded", refundId: refund.id };
      if (refund.status === "pending" || refund.status === "requires_action") {
        return { status: "unknown", code: "provider_unavailable", message: "The refund is still processing at Stripe." };
      }
      return { status: "failed", code: refund.failure_reason ?? "refund_failed", message: `Stripe could not refund: ${refund.failure_reason ?? refund.status}` };
    } catch (error) {
      return asFailure(error);
    }
  }

  get acceptsWebhooks(): boolean {
    return this.config.webhookSecret !== undefined;
  }

  /**
   * Checks a webhook's Stripe-Signature over the raw body (the SDK's check, 5-minute
   * tolerance); false when it does not verify. Parsing is the caller's, after this: a body
   * that verifies but is not JSON, or not an event, is a different answer.
   */
  verifySignature(payload: string, signature: string): boolean {
    if (!this.config.webhookSecret) throw new Error("assertion: verifySignature is called only when acceptsWebhooks");
    try {
      this.stripe.webhooks.signature!.verifyHeader(payload, signature, this.config.webhookSecret, 300);
      return true;
    } catch {
      return false;
    }
  }
}
