/**
 * Money is a bigint of micro-dollars (1 USD = 1 000 000 µUSD). Never a JS number:
 * a float cannot hold $0.162667 exactly, and sums of them drift.
 */
export type Micros = bigint;

export const MICROS_PER_USD = 1_000_000n;
export const MICROS_PER_CENT = 10_000n;

/** Largest amount a user or operator may type: $1 000 000 000.00, far inside int8 µUSD (9.2e12 USD). */
export const MAX_INPUT_MICROS = 1_000_000_000n * MICROS_PER_USD;

export function usd(whole: number | bigint): Micros {
  return BigInt(whole) * MICROS_PER_USD;
}

/**
 * Formats µUSD as a decimal USD string with at least 2 and at most 6 decimals:
 * 59_840_000n → "59.84", 50_000_000n → "50.00", 162_667n → "0.162667".
 */
export function formatMicros(micros: Micros): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS_PER_USD;
  let fraction = (abs % MICROS_PER_USD).toString().padStart(6, "0");
  while (fraction.length > 2 && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** Formats a whole-cent amount (card charges, user-set amounts) with exactly 2 decimals. */
export function formatCents(micros: Micros): string {
  if (micros % MICROS_PER_CENT !== 0n) throw new Error(`assertion: ${micros} µUSD is not whole cents`);
  return formatMicros(micros);
}
