import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { preflight } from "../../src/billing/calls/preflight.js";
import type { PolicyInput } from "../../src/billing/recharges/recharge-policy.js";
import { usd } from "../../src/money/micros.js";
import { HEALTHY_POLICY } from "../support/policy-fixture.js";

const RATE = { ratePerMinuteMicros: 180_000n, holdSeconds: 60, maxConcurrentCalls: null }; // $0.18/min, a minute's hold
const healthy: PolicyInput = { ...HEALTHY_POLICY, balanceMicros: usd(12) };

describe("preflight (pure)", () => {
  it("a healthy Auto-Recharge covers a campaign with as many recharges as the drain needs", () => {
    // 500 calls × 95 s at $0.18 = $142.50; from $12, $50 each time the balance is under $10.
    const r = preflight(healthy, RATE, { calls: 500, averageSeconds: 95, concurrency: 1 });
    expect(r).toEqual({ costMicros: usd(142) + 500_000n, coveredCalls: 500, rechargesExpected: 3, rechargeTotalMicros: usd(150), shortfallMicros: 0n, stoppedBy: null });
  });

  it("waves of concurrent calls take their holds as real starts do, under the operator's limit; a paused account starts none", () => {
    const tight = { ...healthy, enabled: false, balanceMicros: 400_000n }; // two minutes' credit
    expect(preflight(tight, RATE, { calls: 10, averageSeconds: 60, concurrency: 1 }).coveredCalls).toBe(2);
    // Ten at once on $0.40: two minutes' holds fit, so two start, as real starts would be authorised.
    expect(preflight(tight, RATE, { calls: 10, averageSeconds: 60, concurrency: 10 }).coveredCalls).toBe(2);
    // The operator's limit caps a wave: with $50 and a limit of 3, waves of 3.
    const funded = { ...healthy, enabled: false, balanceMicros: usd(50) };
    expect(preflight(funded, { ...RATE, maxConcurrentCalls: 0 }, { calls: 10, averageSeconds: 60, concurrency: 10 })).toMatchObject({ coveredCalls: 0, stoppedBy: "no_auto_recharge" });
    expect(preflight(funded, { ...RATE, maxConcurrentCalls: 3 }, { calls: 10, averageSeconds: 60, concurrency: 10 }).coveredCalls).toBe(10);
    expect(preflight({ ...healthy, paused: true, cardFailing: true }, RATE, { calls: 5, averageSeconds: 60, concurrency: 1 })).toMatchObject({ coveredCalls: 0, stoppedBy: "failing" });
  });

  // Issue 27, item 7: figures checked by hand. $1.60 at $0.16/min, no Auto-Recharge.
  it("a call longer than the balance pays for is not covered, and the shortfall is the cost the balance does not cover", () => {
    const rate = { ratePerMinuteMicros: 160_000n, holdSeconds: 60, maxConcurrentCalls: null };
    const off = { ...healthy, enabled: false, balanceMicros: 1_600_000n };
    // One 20-minute call costs $3.20: $1.60 of it is not covered, and the call would be told end_call at 600 s.
    expect(preflight(off, rate, { calls: 1, averageSeconds: 1200, concurrency: 1 })).toMatchObject({ costMicros: 3_200_000n, coveredCalls: 0, shortfallMicros: 1_600_000n, stoppedBy: "no_auto_recharge" });
    // Ten 10-minute calls at once cost $16.00: all ten start (ten holds of $0.16 fit), one is paid for, $14.40 short.
    expect(preflight(off, rate, { calls: 10, averageSeconds: 600, concurrency: 10 })).toMatchObject({ costMicros: 16_000_000n, coveredCalls: 1, shortfallMicros: 14_400_000n });
    // Three running calls hold $0.48 of it: ten one-minute calls at once, seven fit ($1.12), and $0.48 is short.
    const running = { heldMicros: 480_000n, activeCalls: 3 };
    expect(preflight(off, rate, { calls: 10, averageSeconds: 60, concurrency: 10 }, running)).toMatchObject({ coveredCalls: 7, shortfallMicros: 480_000n });
    // And with a limit of 5 calls at once, the three running leave two slots for the first wave; the rest follow in waves of 5.
    expect(preflight(off, { ...rate, maxConcurrentCalls: 5 }, { calls: 10, averageSeconds: 60, concurrency: 10 }, running)).toMatchObject({ coveredCalls: 7 });
  });

  it("accounts for every call and every dollar (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -usd(20), max: usd(200) }),
        fc.boolean(),
        fc.option(fc.bigInt({ min: usd(50), max: usd(500) }), { nil: null }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 900 }),
        fc.integer({ min: 1, max: 20 }),
        (balance, enabled, monthlyLimit, maxPerDay, calls, seconds, concurrency) => {
          const policy = { ...healthy, balanceMicros: balance, enabled, monthlyLimitMicros: monthlyLimit, maxAutomaticChargesPer24h: maxPerDay };
          const r = preflight(policy, RATE, { calls, averageSeconds: seconds, concurrency });
          const perCall = (BigInt(seconds) * RATE.ratePerMinuteMicros + 59n) / 60n;
          expect(r.coveredCalls).toBeLessThanOrEqual(calls);
          expect(r.costMicros).toBe(perCall * BigInt(calls));
          // The cost not covered by the credit and the recharges expected, never below 0.
          const uncovered = perCall * BigInt(calls) - (balance + r.rechargeTotalMicros);
          expect(r.shortfallMicros).toBe(uncovered > 0n ? uncovered : 0n);
          // Every covered call is paid for in full by that credit.
          if (r.coveredCalls > 0) expect(perCall * BigInt(r.coveredCalls) <= balance + r.rechargeTotalMicros).toBe(true);
          expect(r.rechargesExpected).toBeLessThanOrEqual(maxPerDay);
          if (monthlyLimit !== null) expect(r.rechargeTotalMicros <= monthlyLimit).toBe(true);
          expect(r.stoppedBy === null).toBe(r.coveredCalls === calls);
          if (!enabled) expect(r.rechargesExpected).toBe(0);
        },
      ),
    );
  });
});
