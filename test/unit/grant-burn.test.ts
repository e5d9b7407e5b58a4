import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { burnOrder, planGrantSpends, type Debit, type SpendableGrant } from "../../src/billing/grants/grant-burn.js";

const at = (s: number) => new Date(Date.UTC(2026, 11, 1) + s * 1000);
const grant = (id: string, remainingMicros: bigint, expiresIn: number | null, createdAt = 0, accountId = "acct_a"): SpendableGrant => ({
  id,
  accountId,
  remainingMicros,
  expiresAt: expiresIn === null ? null : at(expiresIn),
  createdAt: at(createdAt),
});

describe("planGrantSpends: granted credit first, soonest-expiring first", () => {
  it("spends the soonest-expiring grant first, a grant that never expires last, and leaves the rest to paid credit", () => {
    const grants = [grant("grt_never", 5_000_000n, null), grant("grt_late", 2_000_000n, 200), grant("grt_soon", 1_000_000n, 100)];
    const { spends, remainingMicros } = planGrantSpends(grants, [
      { entryId: "txn_1", accountId: "acct_a", amountMicros: 1_500_000n },
      { entryId: "txn_2", accountId: "acct_a", amountMicros: 7_000_000n },
    ]);
    expect(spends).toEqual([
      { entryId: "txn_1", grantId: "grt_soon", amountMicros: 1_000_000n },
      { entryId: "txn_1", grantId: "grt_late", amountMicros: 500_000n },
      { entryId: "txn_2", grantId: "grt_late", amountMicros: 1_500_000n },
      { entryId: "txn_2", grantId: "grt_never", amountMicros: 5_000_000n },
    ]);
    // txn_2 is 500 000 µUSD more than the grants had: that part is paid credit.
    expect([...remainingMicros]).toEqual([["grt_never", 0n], ["grt_late", 0n], ["grt_soon", 0n]]);
  });

  it("equal expiries burn the older grant first; another account's grants are never touched", () => {
    const grants = [grant("grt_b", 1_000_000n, 100, 5), grant("grt_a", 1_000_000n, 100, 9), grant("grt_other", 9_000_000n, 1, 0, "acct_b")];
    const { spends } = planGrantSpends(grants, [{ entryId: "txn_1", accountId: "acct_a", amountMicros: 1_000_000n }]);
    expect(spends).toEqual([{ entryId: "txn_1", grantId: "grt_b", amountMicros: 1_000_000n }]);
  });

  it("a wallet without grants spends paid credit only", () => {
    expect(planGrantSpends([], [{ entryId: "txn_1", accountId: "acct_a", amountMicros: 3n }]).spends).toEqual([]);
  });

  it("never spends more than a grant has or a debit asks, spends min(Σ debits, Σ grants), and in burn order (property)", () => {
    const grantArb = fc.record({
      remaining: fc.bigInt({ min: 0n, max: 5_000_000n }),
      expiresIn: fc.option(fc.integer({ min: 1, max: 50 })),
      createdAt: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(grantArb, { maxLength: 8 }), fc.array(fc.bigInt({ min: 1n, max: 3_000_000n }), { maxLength: 12 }), (gs, amounts) => {
        const grants = gs.map((g, i) => grant(`grt_${i}`, g.remaining, g.expiresIn, g.createdAt));
        const debits: Debit[] = amounts.map((amountMicros, i) => ({ entryId: `txn_${i}`, accountId: "acct_a", amountMicros }));
        const { spends, remainingMicros } = planGrantSpends(grants, debits);
        const total = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
        for (const d of debits) expect(total(spends.filter((s) => s.entryId === d.entryId).map((s) => s.amountMicros)) <= d.amountMicros).toBe(true);
        for (const g of grants) {
          const spent = total(spends.filter((s) => s.grantId === g.id).map((s) => s.amountMicros));
          expect(remainingMicros.get(g.id)).toBe(g.remainingMicros - spent);
          expect(remainingMicros.get(g.id)! >= 0n).toBe(true);
        }
        const granted = total(grants.map((g) => g.remainingMicros));
        const asked = total(amounts);
        expect(total(spends.map((s) => s.amountMicros))).toBe(asked < granted ? asked : granted);
        // Burn order: a grant is spent from only once every grant before it is used up.
        const sorted = [...grants].sort(burnOrder);
        for (const s of spends) {
          for (const earlier of sorted.slice(0, sorted.findIndex((g) => g.id === s.grantId))) expect(remainingMicros.get(earlier.id)).toBe(0n);
        }
      }),
    );
  });
});
