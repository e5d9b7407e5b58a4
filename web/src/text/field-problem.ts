import type { ApiError } from "../api/client.js";
import { usdText } from "../money/display.js";

/**
 * A server refusal of one field, for the line under that field: the API's message reads
 * "amount: must be between 5.00 and 10000.00" (its `field` names the key); the page says
 * "Auto-Recharge Amount must be between $5.00 and $10,000.00." with the label the user sees.
 */
export function fieldProblem(error: ApiError, label: string): string {
  const prefix = `${error.field}: `;
  const why = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const withDollars = why.replace(/\b\d+\.\d{2}\b/g, (amount) => usdText(amount));
  return `${label} ${withDollars}${/[.!?]$/.test(withDollars) ? "" : "."}`;
}
