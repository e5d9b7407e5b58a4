import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountPrice, marginAt, marginShare, resaleOutOfBounds, type Rates } from "../../src/billing/pricing.js";
import { cost } from "../../src/money/rating.js";

const DEFAULTS = { withWidgetMicros: 160_000n, withoutWidgetMicros: 180_000n };
const plan = (w: bigint, d: bigint): Rates => ({ webWidgetMicros: w, defaultMicros: d });

describe("accountPrice (docs/plans.md)", () => {
  it("no plan: the configured rates, $0.16 with the widget and $0.18 without", () => {
    expect(accountPrice(DEFAULTS, { webWidget: true, plan: null, agency: null })).toEqual({ ratePerMinuteMicros: 160_000n, margin: null });
    expect(accountPrice(DEFAULTS, { webWidget: false, plan: null, agency: null })).toEqual({ ratePerMinuteMicros: 180_000n, margin: null });
  });

  it("a plan's rate for the widget setting", () => {
    expect(accountPrice(DEFAULTS, { webWidget: false, plan: plan(120_000n, 140_000n), agency: null }).ratePerMinuteMicros).toBe(140_000n);
    expect(accountPrice(DEFAULTS, { webWidget: true, plan: plan(120_000n, 140_000n), agency: null }).ratePerMinuteMicros).toBe(120_000n);
  });

  it("a subaccount of an agency that does not resell pays its own plan", () => {
    const price = accountPrice(DEFAULTS, { webWidget: false, plan: plan(120_000n, 140_000n), agency: { id: "acct_a", plan: null, resale: null } });
    expect(price).toEqual({ ratePerMinuteMicros: 140_000n, margin: null });
  });

  it("a rebilled subaccount pays the resale rate; the agency earns it less its own plan's rate; the subaccount's own plan is set aside", () => {
    const price = accountPrice(DEFAULTS, { webWidget: false, plan: plan(100_000n, 100_000n), agency: { id: "acct_a", plan: plan(130_000n, 150_000n), resale: plan(200_000n, 250_000n) } });
    expect(price).toEqual({ ratePerMinuteMicros: 250_000n, margin: { accountId: "acct_a", ratePerMinuteMicros: 100_000n } });
    // The agency on the default plan: $0.25 − $0.18.
    expect(accountPrice(DEFAULTS, { webWidget: false, plan: null, agency: { id: "acct_a", plan: null, resale: plan(200_000n, 250_000n) } }).margin).toEqual({ accountId: "acct_a", ratePerMinuteMicros: 70_000n });
  });

  it("an agency plan raised above its resale rate later leaves no margin, never a negative one", () => {
    const price = accountPrice(DEFAULTS, { webWidget: true, plan: null, agency: { id: "acct_a", plan: plan(300_000n, 300_000n), resale: plan(200_000n, 250_000n) } });
    expect(price).toEqual({ ratePerMinuteMicros: 200_000n, margin: { accountId: "acct_a", ratePerMinuteMicros: 0n } });
  });
});

describe("the margin of a rebilled call", () => {
  it("61 s at $0.25 resale over $0.18: the subaccount pays $0.254167, the agency earns $0.071166, the platform keeps $0.183001 ≥ its $0.183000", () => {
    expect(cost(61, 250_000n)).toBe(254_167n);
    expect(marginAt(61, 70_000n)).toBe(71_166n);
    expect(cost(61, 250_000n) - marginAt(61, 70_000n)).toBe(183_001n);
    expect(cost(61, 180_000n)).toBe(183_000n);
  });

  const rates = fc
    .tuple(fc.bigInt({ min: 1n, max: 2_000_000n }), fc.bigInt({ min: 0n, max: 9n * 2_000_000n }))
    .map(([planRate, extra]) => ({ planRate, resaleRate: planRate + (extra % (9n * planRate + 1n)) }));

  it("property: any reports of a call — each share ≥ 0, shares sum to the margin of its seconds, and the platform's part is never below the plan's cost", () => {
    fc.assert(
      fc.property(rates, fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 30 }), ({ planRate, resaleRate }, reports) => {
        const marginRate = resaleRate - planRate;
        let billed = 0;
        let debits = 0n;
        let margins = 0n;
        for (const reported of reports) {
          if (reported <= billed) continue;
          const share = marginShare(billed, reported, marginRate);
          const debit = cost(reported, resaleRate) - cost(billed, resaleRate);
          expect(share).toBeGreaterThanOrEqual(0n);
          debits += debit;
          margins += share;
          billed = reported;
        }
        expect(margins).toBe(marginAt(billed, marginRate));
        expect(debits).toBe(cost(billed, resaleRate));
        // debits = platform + margins, and the platform's part covers the agency's plan.
        expect(debits - margins).toBeGreaterThanOrEqual(cost(billed, planRate));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("resale bounds", () => {
  const cost = plan(160_000n, 180_000n);
  it("at least the agency's rate and at most 10× it, for each rate", () => {
    expect(resaleOutOfBounds(plan(160_000n, 180_000n), cost)).toBeNull();
    expect(resaleOutOfBounds(plan(1_600_000n, 1_800_000n), cost)).toBeNull();
    expect(resaleOutOfBounds(plan(159_999n, 180_000n), cost)).toEqual({ field: "web_widget", min: 160_000n, max: 1_600_000n });
    expect(resaleOutOfBounds(plan(160_000n, 1_800_001n), cost)).toEqual({ field: "default", min: 180_000n, max: 1_800_000n });
  });
});
