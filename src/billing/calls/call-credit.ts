import type { AccountStatus } from "../../accounts/accounts.js";
import type { Micros } from "../../money/micros.js";
import { cost, secondsAffordable } from "../../money/rating.js";

/**
 * The credit rules of running calls (docs/concepts.md Holds, Concurrency), pure: which starts are
 * authorised, and what a usage report tells the agent. The queries that feed them and write
 * their outcome are in calls.ts (starts) and the usage writer (reports).
 */

/** An account's wallet as the start of its calls sees it, under the wallet's lock. */
export interface CallWallet {
  status: AccountStatus;
  balanceMicros: Micros;
  /** A recharge in flight counts: it is on its way (docs/concepts.md). */
  inFlightMicros: Micros;
  /** Σ holds of its running calls. */
  heldMicros: Micros;
  activeCalls: number;
  /** null: unlimited. */
  maxConcurrentCalls: number | null;
  /** The rate a call starting now gets. */
  ratePerMinuteMicros: Micros;
}

export type Admission =
  | { kind: "admitted"; holdMicros: Micros; maxSeconds: number }
  | { kind: "account_paused" }
  | { kind: "concurrency_limited"; used: number; limit: number }
  | { kind: "insufficient_credit" };

/**
 * Decides `count` starts on one wallet, in order: each takes a slot and holds `holdSeconds`
 * at the rate if the credit the other running calls do not hold covers that hold. A paused
 * account is refused first; then a full set of slots (429: retrying after a call ends can
 * work), then credit. `maxSeconds` is what the unheld credit pays for.
 */
export function admitStarts(wallet: CallWallet, count: number, holdSeconds: number): Admission[] {
  const hold = cost(holdSeconds, wallet.ratePerMinuteMicros);
  let held = wallet.heldMicros;
  let active = wallet.activeCalls;
  const answers: Admission[] = [];
  for (let i = 0; i < count; i++) {
    if (wallet.status === "paused") {
      answers.push({ kind: "account_paused" });
      continue;
    }
    if (wallet.maxConcurrentCalls !== null && active >= wallet.maxConcurrentCalls) {
      answers.push({ kind: "concurrency_limited", used: active, limit: wallet.maxConcurrentCalls });
      continue;
    }
    const available = wallet.balanceMicros + wallet.inFlightMicros - held;
    if (available < hold) {
      answers.push({ kind: "insufficient_credit" });
      continue;
    }
    answers.push({ kind: "admitted", holdMicros: hold, maxSeconds: secondsAffordable(available, wallet.ratePerMinuteMicros) });
    held += hold;
    active += 1;
  }
  return answers;
}

/** At or under this many seconds left, a report says `wrap_up`: time for the agent to close politely. */
export const WRAP_UP_SECONDS = 60;

export type CallAction = "continue" | "wrap_up" | "end_call";

/**
 * What a usage report tells the agent: the seconds the wallet lasts if every running call
 * keeps going (the balance and any recharge in flight, spent at the sum of their rates), and
 * the action that follows. A call that ended is told to end. The forecast is shared by the
 * wallet's calls: ten calls on one minute's credit each hear 60 s, not ten minutes.
 */
export function callOutlook(w: {
  ended: boolean;
  balanceMicros: Micros;
  inFlightMicros: Micros;
  /** Σ rates per minute of the wallet's running calls (this one included while it runs). */
  activeRateMicros: Micros;
  /** This call's rate: the drain when no other call runs (or a count that lags). */
  ratePerMinuteMicros: Micros;
}): { secondsRemaining: number; action: CallAction } {
  if (w.ended) return { secondsRemaining: 0, action: "end_call" };
  const drain = w.activeRateMicros > w.ratePerMinuteMicros ? w.activeRateMicros : w.ratePerMinuteMicros;
  const secondsRemaining = secondsAffordable(w.balanceMicros + w.inFlightMicros, drain);
  return { secondsRemaining, action: secondsRemaining <= 0 ? "end_call" : secondsRemaining <= WRAP_UP_SECONDS ? "wrap_up" : "continue" };
}
