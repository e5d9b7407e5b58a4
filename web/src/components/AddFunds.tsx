import { useEffect, useRef, useState, type FormEvent } from "react";
import { parseAmount } from "../../../src/money/parse.js";
import { ApiError, type Api } from "../api/client.js";
import type { PaymentMethod, Recharge } from "../api/types.js";
import { cardLabel, usdText } from "../money/display.js";
import { useRechargeOutcome } from "../payments/recharge-outcome.js";
import { confirmRecharge } from "../payments/confirm-payment.js";
import { ChargeConfirmation } from "./ChargeConfirmation.js";
import { ErrorText } from "./ErrorText.js";
import { fieldProblem } from "../text/field-problem.js";

/** The amounts offered at one click; any other is typed. */
const PRESETS = ["25.00", "50.00", "100.00"];
const OTHER = "other";

/**
 * Add funds now: a preset or typed amount, on the default or a chosen card, confirmed with
 * the amount and the card named, then followed until the provider answers. The wallet, the
 * failure banner and the paused banner send the user here (`focusToken` changes).
 */
export function AddFunds(props: {
  api: Api;
  accountId: string;
  methods: PaymentMethod[] | undefined;
  focusToken: number;
  onAddCard(): void;
  onCharged(): void;
  /** False once another part of the page acted after this form: its outcome line is stale then. */
  statusCurrent?: boolean;
  /** Called when a charge starts here, whose outcome this form reports. */
  onStatus?: () => void;
}) {
  const { api, accountId, methods } = props;
  const [choice, setChoice] = useState(PRESETS[0]!);
  const [other, setOther] = useState("");
  const [cardId, setCardId] = useState("");
  const [amountError, setAmountError] = useState<string>();
  const [formError, setFormError] = useState<Error>();
  const [confirming, setConfirming] = useState<{ amount: string; card: PaymentMethod }>();
  const [busy, setBusy] = useState(false);
  const { outcome, watch, clear } = useRechargeOutcome(api, accountId, methods);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (props.focusToken === 0) return;
    heading.current?.scrollIntoView({ behavior: "smooth", block: "center" });
    heading.current?.focus();
  }, [props.focusToken]);

  // Tell the page to reload once the charge has an outcome (the balance and banners move).
  const settled = outcome?.state === "succeeded" || outcome?.state === "failed";
  useEffect(() => {
    if (settled) props.onCharged();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled]);

  const cards = methods ?? [];
  const card = cards.find((m) => m.id === cardId) ?? cards.find((m) => m.is_default) ?? cards[0];

  function review(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    clear();
    const text = choice === OTHER ? other.trim() : choice;
    const parsed = parseAmount(text);
    if (!parsed.ok) {
      setAmountError(`The amount ${parsed.reason}.`);
      return;
    }
    setAmountError(undefined);
    if (!card) return;
    setConfirming({ amount: text, card });
  }

  async function charge() {
    if (!confirming) return;
    setBusy(true);
    setFormError(undefined);
    try {
      const recharge = await api.send<Recharge>("POST", `/v1/accounts/${accountId}/recharges`, {
        amount: confirming.amount,
        payment_method_id: confirming.card.id,
        // The customer is here: on Stripe they confirm the payment themselves (3-D Secure).
        on_session: true,
      });
      setConfirming(undefined);
      props.onStatus?.();
      watch(recharge);
      // On Stripe the customer confirms the payment here, where the bank may ask for 3-D Secure;
      // then the outcome is followed as any other (a failed challenge: nothing charged, said so).
      if (recharge.confirm_by) {
        const confirmed = await confirmRecharge(api, accountId, recharge.id);
        watch(confirmed.recharge);
      }
    } catch (e) {
      setConfirming(undefined);
      if (e instanceof ApiError && e.field === "amount") setAmountError(fieldProblem(e, "The amount"));
      else setFormError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" id="add-funds" aria-labelledby="add-funds-title">
      <h2 id="add-funds-title" ref={heading} tabIndex={-1}>
        Add funds
      </h2>
      {cards.length === 0 ? (
        <p>
          Funds are charged to a saved card, and there is none yet.{" "}
          <button type="button" className="small" onClick={props.onAddCard}>
            Save a card first
          </button>
        </p>
      ) : (
        <form onSubmit={review} noValidate>
          <fieldset className="presets">
            <legend>Amount</legend>
            {PRESETS.map((amount) => (
              <label key={amount} className="preset">
                <input type="radio" name="add-funds-amount" value={amount} checked={choice === amount} onChange={() => { setChoice(amount); setConfirming(undefined); }} />
                {usdText(amount)}
              </label>
            ))}
            <label className="preset">
              <input type="radio" name="add-funds-amount" value={OTHER} checked={choice === OTHER} onChange={() => { setChoice(OTHER); setConfirming(undefined); }} />
              Other
            </label>
          </fieldset>
          {choice === OTHER && (
            <div className="field">
              <label htmlFor="add-funds-other">Other amount</label>
              <div className="money-input">
                <span aria-hidden="true">$</span>
                <input
                  id="add-funds-other"
                  inputMode="decimal"
                  autoComplete="off"
                  value={other}
                  aria-invalid={amountError ? true : undefined}
                  aria-describedby={amountError ? "add-funds-error" : undefined}
                  onChange={(e) => { setOther(e.target.value); setConfirming(undefined); }}
                />
              </div>
            </div>
          )}
          {amountError && (
            <p id="add-funds-error" className="field-error" role="alert">
              {amountError}
            </p>
          )}
          {cards.length > 1 && (
            <div className="field">
              <label htmlFor="add-funds-card">Card</label>
              <select id="add-funds-card" value={card?.id ?? ""} onChange={(e) => { setCardId(e.target.value); setConfirming(undefined); }}>
                {cards.map((pm) => (
                  <option key={pm.id} value={pm.id}>
                    {cardLabel(pm)}
                    {pm.is_default ? " (default)" : ""}
                  </option>
                ))}
              </select>
            </div>
          )}
          <ErrorText error={formError} />
          {confirming ? (
            <ChargeConfirmation
              id="add-funds-confirm-text"
              testId="add-funds-confirmation"
              sentence={`This will charge ${usdText(confirming.amount)} to ${cardLabel(confirming.card)} now.`}
              busy={busy}
              onConfirm={() => void charge()}
              onCancel={() => setConfirming(undefined)}
            />
          ) : (
            <div className="actions">
              <button type="submit" className="primary" disabled={busy || outcome?.state === "charging"}>
                Review
              </button>
            </div>
          )}
        </form>
      )}
      {outcome && props.statusCurrent !== false && (
        <p role="status" className={outcome.state === "failed" ? "field-error" : outcome.state === "succeeded" ? "ok" : undefined} data-testid="add-funds-outcome">
          {outcome.text}
        </p>
      )}
    </section>
  );
}
