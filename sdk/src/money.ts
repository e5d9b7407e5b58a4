/**
 * Money in the API is a decimal string in US dollars ("12.50", "-0.061333": up to 6 places,
 * the micro-dollar). Never a JS number: 0.1 + 0.2 is not 0.3, and a balance summed in floats
 * drifts. These helpers convert to and from exact integers.
 */
export type Money = string;

const MONEY = /^(-?)(\d{1,12})(?:\.(\d{1,6}))?$/;

/** True when `text` is an amount the API accepts or returns. */
export function isMoney(text: string): boolean {
  return MONEY.test(text);
}

/** "12.5" → 12500000n micro-dollars. Throws on anything that is not a decimal amount. */
export function toMicros(amount: Money): bigint {
  const match = MONEY.exec(amount);
  if (!match) throw new TypeError(`not a money amount: ${JSON.stringify(amount)}`);
  const micros = BigInt(match[2]!) * 1_000_000n + BigInt((match[3] ?? "").padEnd(6, "0"));
  return match[1] === "-" && micros !== 0n ? -micros : micros;
}

/** 12500000n → "12.50": at least cents, more places only when they are not zero. */
export function fromMicros(micros: bigint): Money {
  const sign = micros < 0n ? "-" : "";
  const abs = micros < 0n ? -micros : micros;
  const fraction = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0{1,4}$/, "");
  return `${sign}${abs / 1_000_000n}.${fraction}`;
}

/** Whole cents as an amount: 2500n → "25.00". */
export function fromCents(cents: bigint): Money {
  return fromMicros(cents * 10_000n);
}
