import { MAX_INPUT_MICROS, MICROS_PER_CENT, MICROS_PER_USD, type Micros } from "./micros.js";

export type ParseResult = { ok: true; micros: Micros } | { ok: false; reason: string };

const PLAIN_DECIMAL = /^(-?)(\d{1,10})(?:\.(\d{1,2}))?$/;

/**
 * Parses a user-set amount (threshold, recharge amount, monthly limit, top-up, adjustment):
 * a decimal string such as "50", "50.5" or "50.50", whole cents, or a JSON number whose
 * text was a plain decimal with at most 2 decimals. Everything else is refused with a
 * reason a person can act on. `signed` allows a leading minus (admin adjustments only).
 */
export function parseAmount(input: unknown, options: { signed?: boolean } = {}): ParseResult {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else if (typeof input === "number") {
    // The HTTP edge has already refused number tokens with an exponent or more than 15
    // significant digits (see json-numbers.ts), so String(n) gives back the typed digits,
    // less trailing zeros: 50.50 → "50.5", 0.001 → "0.001" (refused below).
    if (!Number.isFinite(input)) return { ok: false, reason: "must be a finite decimal amount" };
    text = String(input);
  } else {
    return { ok: false, reason: 'must be a decimal string such as "50.00"' };
  }
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) {
    if (/^-?\d+\.\d{3,}$/.test(text)) return { ok: false, reason: "must be whole cents (at most 2 decimals)" };
    return { ok: false, reason: 'must be a plain decimal amount such as "50.00"' };
  }
  const [, sign, whole, fraction = ""] = match;
  if (sign === "-" && !options.signed) return { ok: false, reason: "must not be negative" };
  const cents = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, "0"));
  const micros = (sign === "-" ? -cents : cents) * MICROS_PER_CENT;
  if (micros > MAX_INPUT_MICROS || -micros > MAX_INPUT_MICROS) {
    return { ok: false, reason: `must be at most ${MAX_INPUT_MICROS / MICROS_PER_USD}` };
  }
  return { ok: true, micros };
}

/** Parses an operator-configured decimal (rates may have up to 6 decimals: "0.16"). */
export function parseConfigMicros(text: string): Micros {
  const match = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal USD amount: ${JSON.stringify(text)}`);
  return BigInt(match[1]!) * MICROS_PER_USD + BigInt((match[2] ?? "").padEnd(6, "0"));
}

/** The highest per-minute rate a plan or a resale may set: $100 a minute, far above any voice price. */
export const MAX_RATE_MICROS = 100n * MICROS_PER_USD;

/**
 * Parses a per-minute rate (a plan's, an agency's resale): a decimal string or a JSON number
 * whose text is a plain decimal, up to 6 decimals ("0.16", "0.145"), above 0 and at most $100.
 */
export function parseRate(input: unknown): ParseResult {
  const text = typeof input === "string" ? input : typeof input === "number" && Number.isFinite(input) ? String(input) : null;
  if (text === null) return { ok: false, reason: 'must be a decimal string such as "0.16"' };
  const match = /^(\d{1,3})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) return { ok: false, reason: 'must be a plain decimal rate with at most 6 decimals, such as "0.16"' };
  const micros = BigInt(match[1]!) * MICROS_PER_USD + BigInt((match[2] ?? "").padEnd(6, "0"));
  if (micros <= 0n) return { ok: false, reason: "must be above 0" };
  if (micros > MAX_RATE_MICROS) return { ok: false, reason: `must be at most ${MAX_RATE_MICROS / MICROS_PER_USD} a minute` };
  return { ok: true, micros };
}
