import type { Api } from "../api/client.js";
import type { SavedPaymentMethod } from "../api/types.js";

export interface TypedCard {
  digits: string;
  month: number;
  year: number;
  cvc: string;
}

/**
 * Saves a card typed in the sandbox's form: the card goes to our API, which vaults it at the
 * sandbox. (With Stripe the card never comes here: StripeCardForm hands it to Stripe.js.)
 */
export function saveCard(api: Api, accountId: string, card: TypedCard, makeDefault: boolean): Promise<SavedPaymentMethod> {
  return api.send<SavedPaymentMethod>("POST", `/v1/accounts/${accountId}/payment-methods`, {
    card: { number: card.digits, exp_month: card.month, exp_year: card.year, cvc: card.cvc },
    default: makeDefault,
  });
}
