/**
 * Checks on a card number typed by a user. The number lives only in the request's memory:
 * nothing here logs, stores or echoes it.
 */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function cardBrand(digits: string): string {
  if (/^4/.test(digits)) return "visa";
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return "mastercard";
  if (/^3[47]/.test(digits)) return "amex";
  if (/^(6011|65|64[4-9])/.test(digits)) return "discover";
  return "unknown";
}

/** A card is usable through the last day of its expiry month. */
export function isExpired(expMonth: number, expYear: number, now: Date): boolean {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  return expYear < year || (expYear === year && expMonth < month);
}

export type CardProblem = "number" | "expiry" | "cvc";

export function checkCard(card: { number: string; expMonth: number; expYear: number; cvc: string }, now: Date): CardProblem | undefined {
  if (!luhnValid(card.number)) return "number";
  if (card.expMonth < 1 || card.expMonth > 12 || isExpired(card.expMonth, card.expYear, now)) return "expiry";
  if (!/^\d{3,4}$/.test(card.cvc)) return "cvc";
  return undefined;
}
