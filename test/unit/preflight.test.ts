import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { preflight } from "../../src/billing/preflight.js";
import type { PolicyInput } from "../../src/billing/recharge-policy.js";
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
          expect(r.shortfallMicros).toBe(perCall * BigInt(calls - r.coveredCalls));
          expect(r.rechargesExpected).toBeLessThanOrEqual(maxPerDay);
          if (monthlyLimit !== null) expect(r.rechargeTotalMicros <= monthlyLimit).toBe(true);
          expect(r.stoppedBy === null).toBe(r.coveredCalls === calls);
          if (!enabled) expect(r.rechargesExpected).toBe(0);
        },
      ),
    );
  });
});
