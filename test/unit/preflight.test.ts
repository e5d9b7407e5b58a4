import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { preflight } from "../../src/billing/preflight.js";
import type { PolicyInput } from "../../src/billing/recharge-policy.js";
import { usd } from "../../src/money/micros.js";
import { HEALTHY_POLICY } from "../support/policy-fixture.js";

const RATE = 180_000n; // $0.18/min
const healthy: PolicyInput = { ...HEALTHY_POLICY, balanceMicros: usd(12) };

describe("preflight (pure)", () => {
  it("a healthy Auto-Recharge covers a campaign with as many recharges as the drain needs", () => {
    // 500 calls × 95 s at $0.18 = $142.50; from $12, $50 each time the balance is under $10.
    const r = preflight(healthy, RATE, { calls: 500, averageSeconds: 95, concurrency: 1 });
    expect(r).toEqual({ costMicros: usd(142) + 500_000n, coveredCalls: 500, rechargesExpected: 3, rechargeTotalMicros: usd(150), shortfallMicros: 0n, stoppedBy: null });
  });

  it("waves of concurrent calls start against the same balance, and a paused account starts none", () => {
    const tight = { ...healthy, enabled: false, balanceMicros: 400_000n }; // two minutes' credit
    expect(preflight(tight, RATE, { calls: 10, averageSeconds: 60, concurrency: 1 }).coveredCalls).toBe(2);
    // Ten at once all see $0.40: all start (the wallet goes negative), as authorisation does without holds.
    expect(preflight(tight, RATE, { calls: 10, averageSeconds: 60, concurrency: 10 }).coveredCalls).toBe(10);
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
          const perCall = (BigInt(seconds) * RATE + 59n) / 60n;
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
