import { useEffect, useRef, useState, type FormEvent } from "react";
import { luhnValid, isExpired } from "../../../src/payments/card-number.js";
import { TEST_CARDS } from "../../../src/payments/sandbox/test-cards.js";
import { ApiError, type Api } from "../api/client.js";
import type { SavedPaymentMethod } from "../api/types.js";
import { saveCard } from "../payments/save-card.js";
import { StripeCardForm } from "./StripeCardForm.js";
import { CardFormEnd } from "./CardFormEnd.js";

type Field = "number" | "expiry" | "cvc";

/** MM/YY or MM/YYYY → month and four-digit year, or what is wrong with it ("13/30" is a month problem, not a format one). */
function parseExpiry(text: string): { month: number; year: number } | { problem: string } {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return { problem: "Enter the expiry as MM/YY." };
  const month = Number(match[1]);
  const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  return month >= 1 && month <= 12 ? { month, year } : { problem: "The month must be 01 to 12." };
}

type CardFormProps = {
  api: Api;
  accountId: string;
  provider: "sandbox" | "stripe";
  focusToken: number;
  /** Saving charges the card at once (the retry of a failing Auto-Recharge): said before the user saves. */
  charge?: { amount: string; message: string } | undefined;
  onAdded(card: SavedPaymentMethod): void;
  onCancel(): void;
};

/** The card form: Stripe's own fields with Stripe (StripeCardForm), ours on the sandbox. */
export function AddCardForm(props: CardFormProps) {
  return props.provider === "stripe" ? <StripeCardForm {...props} /> : <SandboxCardForm {...props} />;
}

/**
 * The sandbox's card form. The number goes from this form to our API, which vaults it at the
 * sandbox, in one request, and is not kept anywhere: the state is cleared as soon as the
 * answer comes. The checks mirror the server's (Luhn, expiry, CVC), which checks again.
 */
function SandboxCardForm(props: CardFormProps) {
  const [number, setNumber] = useState("");
  const [expiry, setExpiry] = useState("");
  const [cvc, setCvc] = useState("");
  const [makeDefault, setMakeDefault] = useState(true);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const numberInput = useRef<HTMLInputElement>(null);

  useEffect(() => numberInput.current?.focus(), [props.focusToken]);

  function check(): { digits: string; month: number; year: number } | undefined {
    const found: Partial<Record<Field, string>> = {};
    const digits = number.replace(/[\s-]/g, "");
    if (!luhnValid(digits)) found.number = "Enter a valid card number.";
    const exp = parseExpiry(expiry);
    if ("problem" in exp) found.expiry = exp.problem;
    else if (isExpired(exp.month, exp.year, new Date())) found.expiry = "This card has expired.";
    if (!/^\d{3,4}$/.test(cvc)) found.cvc = "Enter the 3 or 4 digit security code.";
    setErrors(found);
    return Object.keys(found).length === 0 && !("problem" in exp) ? { digits, month: exp.month, year: exp.year } : undefined;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    const card = check();
    if (!card) return;
    setBusy(true);
    try {
      const saved = await saveCard(props.api, props.accountId, { ...card, cvc }, makeDefault);
      setNumber("");
      setExpiry("");
      setCvc("");
      props.onAdded(saved);
    } catch (e) {
      // The server names the field in its message ("card.number: …"); show it where it belongs.
      if (e instanceof ApiError && e.code === "invalid_request" && /number/.test(e.message)) setErrors({ number: e.message });
      else setFormError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-card" onSubmit={submit} aria-label="Add a card" noValidate>
      <div className="field">
        <label htmlFor="card-number">Card number</label>
        <div className="with-help">
          <input
            id="card-number"
            ref={numberInput}
            inputMode="numeric"
            autoComplete="off"
            placeholder="4242 4242 4242 4242"
            value={number}
            aria-invalid={errors.number ? true : undefined}
            aria-describedby={errors.number ? "card-number-error" : undefined}
            onChange={(e) => setNumber(e.target.value)}
          />
          {/* Named in words, not a "?" a user has to guess at: the test numbers are what makes the sandbox usable. */}
          <button type="button" className="help-button" aria-expanded={helpOpen} aria-controls="test-cards" onClick={() => setHelpOpen(!helpOpen)}>
            Test cards
          </button>
        </div>
        {helpOpen && (
          <div id="test-cards" className="popover" role="dialog" aria-label="Sandbox test cards">
            <p className="small">Sandbox mode: no real card is charged. Any future expiry and any CVC work.</p>
            <ul>
              {TEST_CARDS.map((card) => (
                <li key={card.number}>
                  <button
                    type="button"
                    className="link mono"
                    onClick={() => {
                      setNumber(card.number.replace(/(\d{4})(?=\d)/g, "$1 "));
                      setHelpOpen(false);
                    }}
                  >
                    {card.number.replace(/(\d{4})(?=\d)/g, "$1 ")}
                  </button>{" "}
                  <span className="muted small">{card.description}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {errors.number && <p id="card-number-error" className="field-error">{errors.number}</p>}
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="card-expiry">Expiry (MM/YY)</label>
          <input id="card-expiry" inputMode="numeric" autoComplete="off" placeholder="12/30" value={expiry}
            aria-invalid={errors.expiry ? true : undefined} onChange={(e) => setExpiry(e.target.value)} />
          {errors.expiry && <p className="field-error">{errors.expiry}</p>}
        </div>
        <div className="field">
          <label htmlFor="card-cvc">CVC</label>
          <input id="card-cvc" inputMode="numeric" autoComplete="off" placeholder="123" value={cvc}
            aria-invalid={errors.cvc ? true : undefined} onChange={(e) => setCvc(e.target.value)} />
          {errors.cvc && <p className="field-error">{errors.cvc}</p>}
        </div>
      </div>
      <CardFormEnd makeDefault={makeDefault} setMakeDefault={setMakeDefault} error={formError} charge={props.charge} busy={busy} canSave onCancel={props.onCancel} />
    </form>
  );
}
