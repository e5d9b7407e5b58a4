import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCents, formatMicros, MICROS_PER_CENT, usd } from "../../src/money/micros.js";
import { parseAmount, parseConfigMicros } from "../../src/money/parse.js";
import { cost, minutesAvailable, secondsAffordable, usageDelta } from "../../src/money/rating.js";

const RATE_WIDGET = 160_000n; // $0.16/min
const RATE_PLAIN = 180_000n; // $0.18/min

describe("parseAmount", () => {
  it.each([
    ["50", 50_000_000n],
    ["50.5", 50_500_000n],
    ["50.50", 50_500_000n],
    ["0", 0n],
    ["0.01", 10_000n],
    [12, 12_000_000n],
    [12.34, 12_340_000n],
    ["1000000000", 1_000_000_000_000_000n],
  ])("accepts %j", (input, micros) => {
    expect(parseAmount(input)).toEqual({ ok: true, micros });
  });

  it.each([
    ["-1"],
    [-1],
    ["0.001"],
    [0.001],
    ["1e3"],
    ["abc"],
    [null],
    [undefined],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    ["Infinity"],
    [" 5 "],
    ["5."],
    [".5"],
    ["+5"],
    ["0x10"],
    ["123456789012345678901234567890"],
    ["1000000000.01"],
    [true],
    [{}],
    [[]],
  ])("refuses %j with a reason", (input) => {
    const result = parseAmount(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(5);
  });

  it("takes a sign only when asked (admin adjustments)", () => {
    expect(parseAmount("-12.50", { signed: true })).toEqual({ ok: true, micros: -12_500_000n });
    expect(parseAmount("-12.50").ok).toBe(false);
  });

  it("says why sub-cent amounts are refused", () => {
    expect(parseAmount("0.001")).toEqual({ ok: false, reason: "must be whole cents (at most 2 decimals)" });
  });

  it("parses the operator's rate table", () => {
    expect(parseConfigMicros("0.16")).toBe(RATE_WIDGET);
    expect(parseConfigMicros("0.18")).toBe(RATE_PLAIN);
    expect(() => parseConfigMicros("0.1x")).toThrow();
  });
});

describe("formatMicros", () => {
  it.each([
    [59_840_000n, "59.84"],
    [50_000_000n, "50.00"],
    [162_667n, "0.162667"],
    [49_813_334n, "49.813334"],
    [-162_667n, "-0.162667"],
    [0n, "0.00"],
    [-5_000_000n, "-5.00"],
  ])("%s µUSD → %s", (micros, text) => {
    expect(formatMicros(micros)).toBe(text);
  });

  it("formatCents asserts whole cents", () => {
    expect(formatCents(usd(50))).toBe("50.00");
    expect(() => formatCents(1n)).toThrow(/assertion/);
  });

  it("round-trips every whole-cent amount through parse ∘ format", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -100_000_000_000n, max: 100_000_000_000n }), (cents) => {
        const micros = cents * MICROS_PER_CENT;
        expect(parseAmount(formatMicros(micros), { signed: true })).toEqual({ ok: true, micros });
      }),
    );
  });
});

describe("rating", () => {
  it("bills 61 s at $0.16/min as exactly $0.162667", () => {
    expect(cost(61, RATE_WIDGET)).toBe(162_667n);
    expect(formatMicros(cost(61, RATE_WIDGET))).toBe("0.162667");
    expect(cost(60, RATE_PLAIN)).toBe(180_000n);
    expect(cost(0, RATE_PLAIN)).toBe(0n);
  });

  it("rounds up to the µUSD, never down", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.bigInt({ min: 1n, max: 10_000_000n }), (s, rate) => {
        const c = cost(s, rate);
        expect(c * 60n >= BigInt(s) * rate).toBe(true);
        expect((c - 1n) * 60n < BigInt(s) * rate).toBe(true);
      }),
    );
  });

  it("is monotone in seconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000 }), fc.bigInt({ min: 1n, max: 10_000_000n }), (s, extra, rate) => {
        expect(cost(s + extra, rate) >= cost(s, rate)).toBe(true);
      }),
    );
  });

  it("never drifts: a call billed in any steps, in any order, with replays, costs cost(total)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 7_200 }), { minLength: 1, maxLength: 60 }),
        fc.constantFrom(RATE_WIDGET, RATE_PLAIN, 1n, 999_999n),
        (reports, rate) => {
          let billed = 0;
          let debited = 0n;
          for (const reported of reports) {
            const step = usageDelta(reported, billed, rate);
            expect(step.debitMicros >= 0n).toBe(true);
            billed = step.billedSeconds;
            debited += step.debitMicros;
          }
          expect(billed).toBe(Math.max(...reports));
          expect(debited).toBe(cost(billed, rate));
        },
      ),
    );
  });

  it("bills a call reported second by second exactly as one report", () => {
    let billed = 0;
    let debited = 0n;
    for (let s = 1; s <= 61; s++) {
      const step = usageDelta(s, billed, RATE_WIDGET);
      billed = step.billedSeconds;
      debited += step.debitMicros;
    }
    expect(debited).toBe(162_667n);
  });

  it("counts minutes available at the current rate, rounded down, never negative", () => {
    expect(minutesAvailable(usd(50), RATE_WIDGET)).toBe("312.50");
    expect(minutesAvailable(usd(50), RATE_PLAIN)).toBe("277.77");
    expect(minutesAvailable(-usd(1), RATE_PLAIN)).toBe("0.00");
    expect(minutesAvailable(159_999n, RATE_WIDGET)).toBe("0.99");
  });

  it("affords exactly the seconds the balance pays for", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10_000_000_000n }), fc.constantFrom(RATE_WIDGET, RATE_PLAIN), (balance, rate) => {
        const s = secondsAffordable(balance, rate);
        expect(cost(s, rate) <= balance).toBe(true);
        expect(cost(s + 1, rate) > balance).toBe(true);
      }),
    );
  });
});
