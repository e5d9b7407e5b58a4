/**
 * The sandbox's test cards (docs/concepts.md). Saving any of them succeeds; `behaviour` is what a
 * charge on it does. Shared with the dashboard, whose card form lists them in a help popover.
 */
export const TEST_CARDS = [
  { number: "4242424242424242", behaviour: "succeed", description: "saves; every charge succeeds" },
  { number: "4000000000000002", behaviour: "card_declined", description: "saves; every charge is declined (card_declined)" },
  { number: "4000000000009995", behaviour: "insufficient_funds", description: "saves; every charge fails for insufficient funds" },
  { number: "4000000000000069", behaviour: "expired_card", description: "saves; every charge fails as an expired card" },
  { number: "4000000000000341", behaviour: "card_declined", description: "saves; every charge is declined (a second declining card)" },
  { number: "4000002760003184", behaviour: "authentication_required", description: "saves; an automatic charge needs the cardholder's authentication" },
  { number: "4000000000000119", behaviour: "processing_error", description: "saves; charges hit a processing error (retried)" },
  { number: "4000000000000259", behaviour: "dispute", description: "saves; every charge succeeds, then the card holder disputes it" },
] as const;

const BEHAVIOUR: Record<string, string> = Object.fromEntries(TEST_CARDS.map((card) => [card.number, card.behaviour]));

/** What a charge on this number does: its test card's behaviour; any other valid number succeeds. */
export const testCardBehaviour = (number: string): string => BEHAVIOUR[number] ?? "succeed";
