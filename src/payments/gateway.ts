import type { Micros } from "../money/micros.js";

/**
 * What the provider said of a charge. `unknown`: it did not say (a timeout, a lost connection,
 * a 5xx, or the provider still processing it) — the card may or may not have been charged, so
 * an unknown outcome is never settled as a failure: it is looked up again until it is known.
 */
export type ChargeOutcome =
  | { status: "succeeded"; chargeId: string }
  | { status: "failed"; code: string; message: string }
  | { status: "unknown"; code: string; message: string };

/**
 * What a provider told us of its own accord (a webhook), in our words, for billing to settle.
 * `id` is the provider's event id (an event delivered twice is handled once); `type` is the
 * provider's own name for it, kept for the record.
 */
export type ProviderEvent = { id: string; type: string } & (
  /** A recharge's payment, as the provider reports it: billing checks it against the recharge before settling it. */
  | ({ kind: "charge_succeeded" } & ReportedPayment)
  | ({ kind: "charge_failed"; code: string; message: string } & ReportedPayment)
  /** Refunds the provider made of a charge (ours, or made in its dashboard): each settled once. */
  | { kind: "charge_refunded"; chargeId: string; refunds: ProviderRefund[] }
  /** A dispute (chargeback) opened on a charge, and how it closed. */
  | { kind: "dispute_opened"; chargeId: string; disputeId: string; amountMicros: Micros }
  | { kind: "dispute_closed"; disputeId: string; outcome: "won" | "lost" }
  | { kind: "ignored"; reason: string }
);

/**
 * What a provider's event says of a recharge's payment. The recharge id comes from metadata
 * anyone who can create a payment on the provider account could write, so the rest must
 * match the recharge before it is settled: the amount, the account's customer at the
 * provider, and the payment's id once the recharge has one.
 */
export interface ReportedPayment {
  rechargeId: string;
  /** The provider's payment (Stripe's PaymentIntent id). */
  chargeId: string;
  amountMicros: Micros;
  /** The provider's customer the payment was made for (null: none named). */
  customerId: string | null;
}

/** One refund as the provider reports it. `ourRefundId`: the refund we asked for, when it was ours. */
export interface ProviderRefund {
  refundId: string;
  amountMicros: Micros;
  ourRefundId: string | null;
}

/**
 * What the provider said of a refund. `unknown`, as for a charge: it did not say, so the
 * refund stays open and is asked again under the same key (which never refunds twice).
 */
export type RefundOutcome =
  | { status: "succeeded"; refundId: string }
  | { status: "failed"; code: string; message: string }
  | { status: "unknown"; code: string; message: string };

export interface RefundRequest {
  /** The refund's id: asking again with it returns the first refund instead of making another. */
  idempotencyKey: string;
  /** The provider's charge (the recharge's provider_charge_id). */
  chargeId: string;
  accountId: string;
  rechargeId: string;
  amountMicros: Micros;
}

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/** What we keep of a saved card: never its number. */
export interface SavedCard {
  providerRef: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  /**
   * The provider's identity of the card number, the same however often it is saved (Stripe's
   * `card.fingerprint`; the sandbox's keyed HMAC of the number), or null when it gave none.
   */
  fingerprint: string | null;
}

/**
 * What the API hands a gateway to save: the sandbox takes the card itself; Stripe takes the
 * id of a payment method the browser created at Stripe, so the number never reaches us.
 */
export type CardToSave = { kind: "card"; card: CardInput } | { kind: "provider_payment_method"; ref: string };

export interface ChargeRequest {
  /** Derived from the recharge id: the same recharge can never be charged twice. */
  idempotencyKey: string;
  /** 1 for the first try; a retry after a soft failure or a lost answer counts up. */
  attempt: number;
  amountMicros: Micros;
  providerRef: string;
  accountId: string;
  /**
   * The consent (cns_…) the account's automatic charges rest on, for the provider's record of a
   * merchant-initiated charge; null for a charge the customer makes themselves.
   */
  consentId?: string | null;
}

/**
 * What the provider says of a payment the customer confirms in the page (Stripe's PaymentIntent
 * of an on-session top-up). `awaiting_customer`: made and not yet confirmed, or a bank's
 * challenge is open; `failed`: a confirmation failed (nothing charged; it could be confirmed
 * again); `canceled`: it can no longer charge; `unknown`: the provider did not say.
 */
export type OnSessionPayment =
  | { state: "succeeded"; chargeId: string }
  | { state: "awaiting_customer" }
  | { state: "failed"; code: string; message: string }
  | { state: "canceled" }
  | { state: "unknown"; code: string; message: string };

/** What a browser needs to save a card at the provider itself (Stripe's SetupIntent). */
export interface CardSetup {
  setupIntentId: string;
  clientSecret: string;
  /** For Stripe.js in the browser; null when the operator did not configure one. */
  publishableKey: string | null;
  apiBase: string;
}

/** What a browser needs to confirm, on-session, a charge the bank wants authenticated. */
export interface PaymentAuthentication {
  paymentIntentId: string;
  clientSecret: string;
  /** The card to confirm it with (the provider's id of the saved card). */
  paymentMethod: string | null;
  publishableKey: string | null;
  apiBase: string;
}

/**
 * A payment provider, seen from the worker. `charge` with a key already used returns that
 * charge's outcome instead of charging again; `lookup` tells what happened to a key whose
 * outcome we did not hear (a crash or a timeout), or undefined when nothing was charged.
 */
export interface PaymentGateway {
  readonly provider: "sandbox" | "stripe";
  /** Throws AppError invalid_request for a card this gateway cannot take (the wrong kind, not found, expired). */
  saveCard(accountId: string, input: CardToSave): Promise<SavedCard>;
  /** Only providers where the browser hands the card to the provider (Stripe) have this. */
  startCardSetup?(accountId: string): Promise<CardSetup>;
  /**
   * Stripe only: the failed charge of a recharge, ready for the user to authenticate; undefined
   * when the provider has nothing to confirm. Its success arrives as a provider event.
   */
  startAuthentication?(accountId: string, rechargeId: string): Promise<PaymentAuthentication | undefined>;
  /**
   * Stripe only: the payment of an on-session top-up, made once per recharge (the same key
   * answers the same one) and not confirmed: the page confirms it as the customer.
   */
  startOnSessionPayment?(request: ChargeRequest): Promise<PaymentAuthentication>;
  /** Stripe only: what became of an on-session payment; undefined when none was made. */
  lookupOnSession?(request: ChargeRequest): Promise<OnSessionPayment | undefined>;
  /** Stripe only: cancels an on-session payment unless it succeeded; answers what it is then. */
  cancelOnSession?(request: ChargeRequest): Promise<OnSessionPayment | undefined>;
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  lookup(request: ChargeRequest): Promise<ChargeOutcome | undefined>;
  /** Refunds part or all of a succeeded charge; the same key answers the same refund. */
  refund(request: RefundRequest): Promise<RefundOutcome>;
  /**
   * Providers without webhooks (the sandbox) hand their events over by polling: the oldest not
   * yet delivered, at most `limit`. Delivery is at least once: billing records each event id
   * and handles an id once, then calls `eventDelivered`.
   */
  pendingEvents?(limit: number): Promise<ProviderEvent[]>;
  eventDelivered?(eventId: string): Promise<void>;
}
