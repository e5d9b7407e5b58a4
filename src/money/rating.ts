import type { Micros } from "./micros.js";

/** What a call of `elapsedSeconds` costs at `ratePerMinuteMicros`, rounded up to the µUSD. */
export function cost(elapsedSeconds: number, ratePerMinuteMicros: Micros): Micros {
  if (!Number.isSafeInteger(elapsedSeconds) || elapsedSeconds < 0) {
    throw new Error(`assertion: elapsedSeconds must be a non-negative integer, got ${elapsedSeconds}`);
  }
  // ceil(s × rate / 60) in integers: billing the cumulative total each time (not the
  // increment) is what keeps rounding from accumulating over many reports.
  return (BigInt(elapsedSeconds) * ratePerMinuteMicros + 59n) / 60n;
}

/**
 * The debit a usage report causes: cost of the new cumulative total minus what was billed.
 * A replayed or out-of-order report (cumulative ≤ billed) debits nothing.
 */
export function usageDelta(
  reportedSeconds: number,
  billedSeconds: number,
  ratePerMinuteMicros: Micros,
): { billedSeconds: number; debitMicros: Micros } {
  if (reportedSeconds <= billedSeconds) return { billedSeconds, debitMicros: 0n };
  return {
    billedSeconds: reportedSeconds,
    debitMicros: cost(reportedSeconds, ratePerMinuteMicros) - cost(billedSeconds, ratePerMinuteMicros),
  };
}

/** Minutes the balance buys at the rate, 2 decimals rounded down, never below zero. */
export function minutesAvailable(balanceMicros: Micros, ratePerMinuteMicros: Micros): string {
  if (ratePerMinuteMicros <= 0n) throw new Error("assertion: rate must be positive");
  if (balanceMicros <= 0n) return "0.00";
  const hundredths = (balanceMicros * 100n) / ratePerMinuteMicros;
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, "0")}`;
}

/** Whole seconds the balance pays for at the rate (cost(s) ≤ balance). */
export function secondsAffordable(balanceMicros: Micros, ratePerMinuteMicros: Micros): number {
  if (balanceMicros <= 0n) return 0;
  const seconds = (balanceMicros * 60n) / ratePerMinuteMicros;
  return Number(seconds > 86_400n * 365n ? 86_400n * 365n : seconds);
}

/**
 * Hours `balance` lasts when spent at the pace of `burnLast24h` a day, to 0.1 h, rounded down
 * (a runway should not promise more than there is); 0 when nothing is left, null when nothing
 * was spent (no pace to project). Exact integer arithmetic until the final tenths.
 */
export function runwayHours(balanceMicros: Micros, burnLast24hMicros: Micros): number | null {
  if (burnLast24hMicros <= 0n) return null;
  if (balanceMicros <= 0n) return 0;
  const tenths = (balanceMicros * 240n) / burnLast24hMicros;
  return Number(tenths) / 10;
}
