/**
 * When a monthly fee's periods start (docs/plans.md). Pure.
 *
 * Period k starts k calendar months after the anchor (the fee's creation), at the anchor's
 * time of day, on the anchor's day of the month — or the month's last day when it has fewer
 * (an anchor on Jan 31 gives Feb 28/29, Mar 31, Apr 30: always counted from the anchor, so a
 * short month never shifts the later ones). All in UTC.
 */
export function periodStart(anchor: Date, k: number): Date {
  if (!Number.isSafeInteger(k) || k < 0) throw new Error(`assertion: a period index is a non-negative integer, got ${k}`);
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + k;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(anchor.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}

/**
 * The periods a fee owes at `now`: from `periodsCharged` on, each whose start has come and
 * falls before the fee was stopped (a stop takes effect from the next period: the period it was
 * stopped in was charged at its start). At most `limit`, oldest first, so a worker down for
 * years catches up in bounded steps.
 */
export function duePeriods(fee: { anchorAt: Date; periodsCharged: number; stoppedAt: Date | null }, now: Date, limit: number): number[] {
  const due: number[] = [];
  for (let k = fee.periodsCharged; due.length < limit; k++) {
    const start = periodStart(fee.anchorAt, k);
    if (start.getTime() > now.getTime()) break;
    if (fee.stoppedAt && start.getTime() >= fee.stoppedAt.getTime()) break;
    due.push(k);
  }
  return due;
}

/** The next period's start, or null when the fee is stopped before it. */
export function nextCharge(fee: { anchorAt: Date; periodsCharged: number; stoppedAt: Date | null }): Date | null {
  const start = periodStart(fee.anchorAt, fee.periodsCharged);
  return fee.stoppedAt && start.getTime() >= fee.stoppedAt.getTime() ? null : start;
}
