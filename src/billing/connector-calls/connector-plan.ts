import type { CallAction } from "../calls/call-credit.js";
import { WRAP_UP_SECONDS } from "../calls/call-credit.js";

/**
 * The rules of a provider's call, pure: what one provider event does to the call as prepaid
 * knows it, and what a tick's reading asks of the provider. The queries that feed them and
 * carry them out are connector-events.ts and connector-ticker.ts.
 */

export type ConnectorCallStatus = "started" | "answered" | "ended" | "refused";

export type EventPlan =
  /** The call's first word: authorise it as `POST /v1/calls` would (answered: it talks already). */
  | { kind: "authorize"; answered: boolean }
  /** A started call is talking now: ticks meter from the provider's answer time. */
  | { kind: "answer" }
  /**
   * The provider says it ended: bill its duration, once. `record` when prepaid never saw it
   * start (the end is the first word, or it was refused): a calls row is made ended to bill on.
   */
  | { kind: "bill_final"; record: boolean }
  | { kind: "nothing"; reason: string };

/**
 * One event against the call's state (none: never heard of). Events come duplicated, late and
 * out of order: whatever comes after the end changes nothing, a start after the answer is old
 * news, and an end with no start before it still bills what the provider counted (usage is
 * never dropped). A refused call that the provider still ran (its hang-up came late) is billed
 * what the provider counted too: the platform paid for those seconds.
 */
export function planConnectorEvent(status: ConnectorCallStatus | undefined, kind: "started" | "answered" | "ended"): EventPlan {
  if (status === undefined) return kind === "ended" ? { kind: "bill_final", record: true } : { kind: "authorize", answered: kind === "answered" };
  if (status === "ended") return { kind: "nothing", reason: "already ended" };
  if (status === "refused") return kind === "ended" ? { kind: "bill_final", record: false } : { kind: "nothing", reason: "refused" };
  if (kind === "ended") return { kind: "bill_final", record: false };
  if (kind === "answered" && status === "started") return { kind: "answer" };
  return { kind: "nothing", reason: `${kind} after ${status}` };
}

/**
 * The seconds a tick bills: since the provider's answer by our clock, one tick behind it, so
 * that a provider whose clock runs a little behind ours is not billed ahead of its own count
 * (and if it is, the final bill credits the difference back).
 */
export function meteredSeconds(answeredAt: Date, now: Date, tickMs: number): number {
  return Math.max(0, Math.floor((now.getTime() - answeredAt.getTime()) / 1000) - Math.ceil(tickMs / 1000));
}

/**
 * What a tick's answer asks of the provider. The reading is a tick behind the call, so the
 * credit really left is the answer's seconds less that tick: wrap up when that is within
 * WRAP_UP_SECONDS (60), hang up when it is gone. A call may so run past its credit by at most
 * one tick (15 s by default) and the provider's hang-up time; its final bill takes the
 * balance below zero by that, as a report's late end would.
 */
export function planAfterTick(answer: { action: CallAction; secondsRemaining: number }, tickMs: number): { wrapUp: boolean; hangUp: boolean } {
  const left = answer.secondsRemaining - Math.ceil(tickMs / 1000);
  const hangUp = answer.action === "end_call" || left <= 0;
  return { hangUp, wrapUp: hangUp || answer.action === "wrap_up" || left <= WRAP_UP_SECONDS };
}

/** The provider's final duration against what ticks billed: the seconds to credit back (never negative). */
export function overshootSeconds(billedSeconds: number, providerSeconds: number): number {
  return Math.max(0, billedSeconds - providerSeconds);
}
