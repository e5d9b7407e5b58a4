/** How a saved card is named to people: "Visa •••• 4242". Never more of the number than the last 4. */
export function cardLabel(card: { brand: string; last4: string }): string {
  return `${card.brand[0]!.toUpperCase()}${card.brand.slice(1)} •••• ${card.last4}`;
}
