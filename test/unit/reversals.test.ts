import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reversalOf } from "../../src/billing/reversals/reversals.js";

describe("reversalOf: refunds and disputes never take back more than the charge", () => {
  it("takes what is asked when there is room, what is left when there is less, nothing when none", () => {
    expect(reversalOf(20_000_000n, 50_000_000n)).toBe(20_000_000n);
    expect(reversalOf(50_000_000n, 30_000_000n)).toBe(30_000_000n);
    expect(reversalOf(50_000_000n, 0n)).toBe(0n);
    expect(reversalOf(50_000_000n, -1n)).toBe(0n);
  });

  it("a sequence of reversals of one charge never adds up to more than it (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10_000_000_000n }), fc.array(fc.bigInt({ min: 1n, max: 10_000_000_000n }), { maxLength: 20 }), (charge, asks) => {
        let taken = 0n;
        for (const ask of asks) {
          const took = reversalOf(ask, charge - taken);
          expect(took >= 0n && took <= ask).toBe(true);
          taken += took;
        }
        expect(taken <= charge).toBe(true);
        // Asking for everything takes exactly the charge.
        expect(taken + reversalOf(charge, charge - taken)).toBe(charge);
      }),
    );
  });
});
