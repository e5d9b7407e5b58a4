import type { Micros } from "../money/micros.js";

export type ChargeOutcome =
  | { status: "succeeded"; chargeId: string }
  | { status: "failed"; code: string; message: string };

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
}

export interface ChargeRequest {
  /** Derived from the recharge id: the same recharge can never be charged twice. */
  idempotencyKey: string;
  amountMicros: Micros;
  providerRef: string;
  accountId: string;
}

/**
 * A payment provider, seen from the worker. `charge` with a key already used returns that
 * charge's outcome instead of charging again; `lookup` tells what happened to a key whose
 * outcome we did not hear (a crash or a timeout), or undefined when nothing was charged.
 */
export interface PaymentGateway {
  readonly provider: "sandbox" | "stripe";
  saveCard(card: CardInput): Promise<SavedCard>;
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  lookup(idempotencyKey: string): Promise<ChargeOutcome | undefined>;
}
