import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { duePeriods, nextCharge, periodStart } from "../../src/billing/fees/fee-periods.js";

const at = (iso: string) => new Date(iso);

describe("a monthly fee's periods (docs/plans.md)", () => {
  it("start on the anchor's day and time each month, the last day in shorter months, always counted from the anchor", () => {
    const anchor = at("2027-01-31T10:15:00.000Z");
    expect([0, 1, 2, 3, 13].map((k) => periodStart(anchor, k).toISOString())).toEqual([
      "2027-01-31T10:15:00.000Z",
      "2027-02-28T10:15:00.000Z",
      "2027-03-31T10:15:00.000Z",
      "2027-04-30T10:15:00.000Z",
      "2028-02-29T10:15:00.000Z",
    ]);
  });

  it("owes every period begun and not charged, up to the limit; none begun after a stop", () => {
    const fee = { anchorAt: at("2026-12-07T10:00:00.000Z"), periodsCharged: 1, stoppedAt: null };
    expect(duePeriods(fee, at("2027-01-07T09:59:59.999Z"), 24)).toEqual([]);
    expect(duePeriods(fee, at("2027-01-07T10:00:00.000Z"), 24)).toEqual([1]);
    expect(duePeriods(fee, at("2027-04-08T00:00:00.000Z"), 24)).toEqual([1, 2, 3, 4]);
    expect(duePeriods(fee, at("2027-04-08T00:00:00.000Z"), 2)).toEqual([1, 2]);
    // Stopped on Feb 20: the period that began Feb 7 was due before the stop; March's is not.
    const stopped = { ...fee, stoppedAt: at("2027-02-20T00:00:00.000Z") };
    expect(duePeriods(stopped, at("2027-06-01T00:00:00.000Z"), 24)).toEqual([1, 2]);
    expect(nextCharge({ ...stopped, periodsCharged: 3 })).toBeNull();
    expect(nextCharge(fee)?.toISOString()).toBe("2027-01-07T10:00:00.000Z");
  });

  it("property: periods are 28–31 days apart, in order, and each is due exactly once however the clock is read", () => {
    fc.assert(
      fc.property(
        fc.date({ min: at("2000-01-01T00:00:00.000Z"), max: at("2090-01-01T00:00:00.000Z"), noInvalidDate: true }),
        fc.array(fc.integer({ min: 0, max: 400 * 86_400_000 }), { minLength: 1, maxLength: 8 }),
        (anchor, steps) => {
          for (let k = 0; k < 30; k++) {
            const days = (periodStart(anchor, k + 1).getTime() - periodStart(anchor, k).getTime()) / 86_400_000;
            expect(days).toBeGreaterThanOrEqual(28);
            expect(days).toBeLessThanOrEqual(31);
          }
          // A worker waking at increasing times charges 0, 1, 2, … with no gap and no repeat.
          let charged = 0;
          let now = anchor.getTime();
          const seen: number[] = [];
          for (const step of steps) {
            now += step;
            const due = duePeriods({ anchorAt: anchor, periodsCharged: charged, stoppedAt: null }, new Date(now), 1_000);
            seen.push(...due);
            charged += due.length;
          }
          expect(seen).toEqual([...Array(charged).keys()]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
