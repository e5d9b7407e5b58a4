import { formatMicros, MICROS_PER_USD, type Micros } from "../../../src/money/micros.js";

// The dashboard never turns an amount into a JS number for arithmetic: decimals from the API
// are parsed to bigint µUSD with the same helpers the server uses (src/money).

const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,6}))?$/;

/** "49.813334" → 49_813_334n. The API sends money with at most 6 decimals. */
export function parseMicros(decimal: string): Micros {
  const match = DECIMAL.exec(decimal);
  if (!match) throw new Error(`assertion: the API sent a money value that is not a decimal: ${decimal}`);
  const micros = BigInt(match[2]!) * MICROS_PER_USD + BigInt((match[3] ?? "").padEnd(6, "0"));
  return match[1] === "-" ? -micros : micros;
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * "$1,234.50" from a decimal string, keeping every decimal the API sent (a one-second call
 * costs $0.002667: rounding it to $0.00 would hide it). `cents: true` cuts to whole cents,
 * rounding toward zero, for headline balances.
 */
export function usdText(decimal: string, options: { cents?: boolean; signed?: boolean } = {}): string {
  let text = decimal;
  if (options.cents) {
    const micros = parseMicros(decimal);
    const cents = micros / 10_000n; // toward zero
    text = formatMicros(cents * 10_000n);
  }
  const negative = text.startsWith("-");
  const [whole, fraction] = (negative ? text.slice(1) : text).split(".");
  const body = `$${groupThousands(whole!)}${fraction === undefined ? "" : `.${fraction}`}`;
  if (negative) return `−${body}`;
  return options.signed ? `+${body}` : body;
}

/**
 * Whole cents, nearest (half away from zero), for the rows of a statement, where a billing
 * user reads cents; the exact figure goes in the row's title and in the CSV. An amount under
 * half a cent is not zero: "<$0.01" (signed like the rest).
 */
export function centsText(decimal: string, options: { signed?: boolean } = {}): string {
  const micros = parseMicros(decimal);
  const abs = micros < 0n ? -micros : micros;
  const cents = (abs + 5_000n) / 10_000n;
  if (cents === 0n && abs !== 0n) return `${micros < 0n ? "−" : options.signed ? "+" : ""}<$0.01`;
  return usdText(formatMicros((micros < 0n ? -cents : cents) * 10_000n), options);
}

export { cardLabel } from "../../../src/payments/card-label.js";
