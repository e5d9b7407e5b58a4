/**
 * The sentence a customer agrees to when Auto-Recharge may charge their card (docs/concepts.md,
 * Consent), pure and shared: the page shows it and sends it, and the server writes the same
 * words when an API key saves settings without a sentence of its own. Amounts are the API's
 * decimal strings ("25.00"); cards are labels ("Visa •••• 4242").
 *
 * "I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below
 * $10.00, at most $200.00 a month."
 */
export interface ConsentTerms {
  displayName: string;
  card: string;
  mode: "fixed" | "target";
  amount: string;
  target: string | null;
  threshold: string;
  monthlyLimit: string | null;
  backupCard: string | null;
}

export function consentSentence(t: ConsentTerms): string {
  const what = t.mode === "target" && t.target !== null ? `what brings my balance back to $${t.target}` : `$${t.amount}`;
  const limit = t.monthlyLimit === null ? "" : `, at most $${t.monthlyLimit} a month`;
  const backup = t.backupCard === null ? "" : `, and ${t.backupCard} once if that card is declined`;
  return `I authorise ${t.displayName} to charge ${t.card} ${what} whenever my balance falls below $${t.threshold}${limit}${backup}.`;
}
