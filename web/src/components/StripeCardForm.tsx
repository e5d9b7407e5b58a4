import { Elements, PaymentElement, useElements, useStripe } from "@stripe/react-stripe-js";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { TEST_CARDS } from "../../../src/payments/sandbox/test-cards.js";
import type { Api } from "../api/client.js";
import type { CardSetup, SavedPaymentMethod } from "../api/types.js";
import { stripeErrorText, stripeFor } from "../payments/stripe-js.js";
import { ErrorText } from "./ErrorText.js";
import { CardFormEnd } from "./CardFormEnd.js";

interface CardFormProps {
  api: Api;
  accountId: string;
  focusToken: number;
  charge?: { amount: string; message: string } | undefined;
  onAdded(card: SavedPaymentMethod): void;
  onCancel(): void;
}

/**
 * The card form on Stripe: Stripe.js's Payment Element on a SetupIntent made for off-session
 * charges. The card number is typed in Stripe's frame and goes from there to Stripe; this page
 * and our API only ever see the payment method's id (the host page stays in PCI SAQ A). A bank
 * that wants 3-D Secure shows its challenge through Stripe.js before the card is saved.
 */
export function StripeCardForm(props: CardFormProps) {
  const [setup, setSetup] = useState<CardSetup>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    let live = true;
    props.api
      .send<CardSetup>("POST", `/v1/accounts/${props.accountId}/payment-methods/setup`, {})
      .then((s) => live && setSetup(s), (e: Error) => live && setError(e));
    return () => {
      live = false;
    };
    // One SetupIntent per opening of the form.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.accountId, props.focusToken]);
  const stripe = useMemo(() => (setup ? stripeFor(setup.publishable_key) : undefined), [setup]);
  const options = useMemo(() => (setup ? { clientSecret: setup.client_secret } : undefined), [setup]);

  if (error) return <ErrorText error={error} />;
  if (!setup || !stripe || !options) return <p role="status">Loading the card form…</p>;
  return (
    <Elements stripe={stripe} options={options}>
      <SetupForm {...props} testMode={setup.publishable_key?.startsWith("pk_test") ?? false} />
    </Elements>
  );
}

function SetupForm(props: CardFormProps & { testMode: boolean }) {
  const stripe = useStripe();
  const elements = useElements();
  const [makeDefault, setMakeDefault] = useState(true);
  const [complete, setComplete] = useState(false);
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<Error>();
  const [helpOpen, setHelpOpen] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!stripe || !elements) return;
    setFormError(undefined);
    setBusy(true);
    try {
      const result = await stripe.confirmSetup({ elements, confirmParams: { return_url: window.location.href }, redirect: "if_required" });
      if (result.error) {
        setFormError(new Error(stripeErrorText(result.error, "card")));
        return;
      }
      const pm = result.setupIntent.payment_method;
      const id = typeof pm === "string" ? pm : pm?.id;
      if (!id) throw new Error("Stripe did not return the card.");
      const saved = await props.api.send<SavedPaymentMethod>("POST", `/v1/accounts/${props.accountId}/payment-methods`, { provider_payment_method: id, default: makeDefault });
      props.onAdded(saved);
    } catch (e) {
      setFormError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-card" onSubmit={submit} aria-label="Add a card" noValidate>
      <PaymentElement onReady={() => setReady(true)} onChange={(e) => setComplete(e.complete)} />
      {props.testMode && (
        <div className="field">
          <button type="button" className="help-button" aria-expanded={helpOpen} aria-controls="test-cards" onClick={() => setHelpOpen(!helpOpen)}>
            Test cards
          </button>
          {helpOpen && (
            <div id="test-cards" className="popover" role="dialog" aria-label="Stripe test cards">
              <p className="small">Stripe test mode: no real card is charged. Type one of these in the card field, with any future expiry and any CVC.</p>
              <ul>
                {TEST_CARDS.map((card) => (
                  <li key={card.number}>
                    <span className="mono">{card.number.replace(/(\d{4})(?=\d)/g, "$1 ")}</span> <span className="muted small">{card.description}</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
      <CardFormEnd makeDefault={makeDefault} setMakeDefault={setMakeDefault} error={formError} charge={props.charge} busy={busy} canSave={ready && complete} onCancel={props.onCancel} />
    </form>
  );
}
