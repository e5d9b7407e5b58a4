import { classifyFailure } from "../../payments/decline.js";
import type { ChargeOutcome } from "../../payments/gateway.js";

/**
 * What the worker does with a claimed recharge, before and after it calls the provider. Pure:
 * the worker gathers the facts (the attempt number, what the provider says of the key, whether
 * the card is still saved) and executes the step.
 *
 * The rule the whole file serves: an unknown outcome is never final. A charge that timed out,
 * lost its connection or got a 5xx may have taken the money, so it is never settled as failed
 * and never sent under another key; it stays open and is looked up (same key) until the
 * provider says what happened. Only a provider's own "no such charge" or "declined" ends it.
 */
export type AttemptStep =
  | { step: "settle_succeeded"; chargeId: string }
  | { step: "settle_failed"; code: string; message: string }
  /** Nothing was charged so far and the card may be tried (again, with the same key). */
  | { step: "charge" }
  /** A soft failure the provider reported (nothing charged): try again after the backoff. */
  | { step: "retry_later"; code: string; message: string }
  /** The provider has not said: look the key up again later; `unresolved` once out of tries. */
  | { step: "ask_later"; code: string; message: string; unresolved: boolean };

export interface AttemptFacts {
  /** 1 for the first claim; every claim (a retry, a lookup, a takeover after a crash) counts. */
  attempt: number;
  /** Soft failures the provider reported for this recharge so far (each one nothing charged). */
  softFailures: number;
  /** PREPAID_RETRY_DELAYS's length: how many soft failures are retried before the last one is final. */
  maxRetries: number;
  /** The card was removed since the recharge was created. */
  cardRemoved: boolean;
}

const REMOVED = { step: "settle_failed", code: "payment_method_removed", message: "The card was removed before it was charged." } as const;

/**
 * Before charging: `lookedUp` is what the provider says of this recharge's key (undefined: no
 * record of it), or "not_asked" on a first attempt, which cannot have charged yet.
 *
 * Only what the provider reported counts against the retries: a try whose answer never came
 * back and that the provider has no record of never reached it, so the recharge is tried
 * again under its one key however many such tries there were (a database or network outage
 * on our side must not turn into a failed recharge while the card was never asked).
 */
export function planBeforeCharge(facts: AttemptFacts, lookedUp: ChargeOutcome | undefined | "not_asked"): AttemptStep {
  if (lookedUp !== "not_asked" && lookedUp !== undefined) {
    if (lookedUp.status === "succeeded") return { step: "settle_succeeded", chargeId: lookedUp.chargeId };
    if (lookedUp.status === "unknown") return askLater(facts, lookedUp);
    if (classifyFailure(lookedUp.code) === "hard") return { step: "settle_failed", code: lookedUp.code, message: lookedUp.message };
  }
  // Nothing was charged under this key (no record, or a soft failure already counted).
  if (facts.cardRemoved) return REMOVED;
  return { step: "charge" };
}

/** After the provider answered the charge (or did not: `unknown`). */
export function planAfterCharge(facts: AttemptFacts, outcome: ChargeOutcome): AttemptStep {
  if (outcome.status === "succeeded") return { step: "settle_succeeded", chargeId: outcome.chargeId };
  if (outcome.status === "unknown") return askLater(facts, outcome);
  if (classifyFailure(outcome.code) === "soft" && facts.softFailures < facts.maxRetries) {
    return { step: "retry_later", code: outcome.code, message: outcome.message };
  }
  return { step: "settle_failed", code: outcome.code, message: outcome.message };
}

/**
 * The provider has not said: look again later. Past as many claims as the tries allow, it is
 * `unresolved` (the reconciliation sweep's interval, and counted on /metrics).
 */
function askLater(facts: AttemptFacts, outcome: { code: string; message: string }): AttemptStep {
  return { step: "ask_later", code: outcome.code, message: outcome.message, unresolved: facts.attempt > facts.maxRetries };
}
