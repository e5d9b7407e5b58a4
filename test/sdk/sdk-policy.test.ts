import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromCents, fromMicros, isMoney, toMicros } from "../../sdk/src/money.js";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "../../sdk/src/retry.js";

const policy = DEFAULT_RETRY_POLICY;
const status = (s: number, retryAfter: string | null = null) => ({ status: s, retryAfter });

describe("the SDK's retry policy", () => {
  it.each([429, 500, 502, 503, 504])("retries %i", (s) => {
    expect(retryDelayMs(policy, 1, status(s), 0.5)).toBe(250);
  });

  it.each([200, 201, 400, 401, 402, 403, 404, 409, 422])("hands %i to the caller at once", (s) => {
    expect(retryDelayMs(policy, 1, status(s), 0.5)).toBeNull();
  });

  it("retries a network failure (the request may or may not have arrived: the key makes it safe)", () => {
    expect(retryDelayMs(policy, 1, { networkError: true }, 0.999)).toBe(499);
    expect(retryDelayMs(policy, 2, { networkError: true }, 0.999)).toBe(999);
  });

  it("stops after maxRetries", () => {
    expect(retryDelayMs(policy, policy.maxRetries, status(503), 0)).toBe(0);
    expect(retryDelayMs(policy, policy.maxRetries + 1, status(503), 0)).toBeNull();
    expect(retryDelayMs({ ...policy, maxRetries: 0 }, 1, { networkError: true }, 0)).toBeNull();
  });

  it("waits as long as Retry-After asks, up to the cap", () => {
    expect(retryDelayMs(policy, 1, status(429, "1"), 0)).toBe(1000);
    expect(retryDelayMs(policy, 1, status(429, "3600"), 0)).toBe(policy.maxDelayMs);
    expect(retryDelayMs(policy, 1, status(429, "Wed, 21 Oct 2015 07:28:00 GMT"), 0)).toBe(0);
  });

  it("never waits longer than maxDelayMs, nor less than nothing (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(429, 500, 502, 503, 504),
        fc.option(fc.integer({ min: 0, max: 999_999 }).map(String)),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, s, retryAfter, random) => {
          const delay = retryDelayMs({ ...policy, maxRetries: 30 }, attempt, status(s, retryAfter), random);
          expect(delay).not.toBeNull();
          expect(delay!).toBeGreaterThanOrEqual(0);
          expect(delay!).toBeLessThanOrEqual(policy.maxDelayMs);
        },
      ),
    );
  });
});

describe("the SDK's money helpers", () => {
  it("read and write the API's decimal strings exactly", () => {
    expect(toMicros("12.5")).toBe(12_500_000n);
    expect(toMicros("-0.061333")).toBe(-61_333n);
    expect(toMicros("-0")).toBe(0n);
    expect(fromMicros(12_500_000n)).toBe("12.50");
    expect(fromMicros(-61_333n)).toBe("-0.061333");
    expect(fromMicros(0n)).toBe("0.00");
    expect(fromMicros(123_400n)).toBe("0.1234");
    expect(fromCents(2500n)).toBe("25.00");
  });

  it.each(["12.5.0", "1e3", "", " 1", "0.1234567", "$5", "NaN"])("refuse %j", (text) => {
    expect(isMoney(text)).toBe(false);
    expect(() => toMicros(text)).toThrow(TypeError);
  });

  it("round-trip every micro-dollar amount (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }), (micros) => {
        const text = fromMicros(micros);
        expect(isMoney(text)).toBe(true);
        expect(toMicros(text)).toBe(micros);
      }),
    );
  });
});
