import { useEffect, useState } from "react";
import { useRechargeOutcome } from "../payments/recharge-outcome.js";
import type { Api } from "../api/client.js";
import type { PaymentMethod } from "../api/types.js";
import { cardLabel } from "../money/display.js";
import { emitEvent } from "../embed/parent.js";
import { AddCardForm } from "./AddCardForm.js";
import { ErrorText } from "./ErrorText.js";
import { InlineConfirm } from "./InlineConfirm.js";

export function PaymentMethods(props: {
  api: Api;
  accountId: string;
  methods: PaymentMethod[] | undefined;
  readOnly?: boolean;
  /** Where a new card goes; until the pricing answer comes, the form waits. */
  provider?: "sandbox" | "stripe" | undefined;
  /** Bumped by "Update card" in the failure banner: opens the form and focuses it. */
  openFormToken?: number;
  /** Auto-Recharge is failing: a card saved now is charged at once (asked beforehand, then followed). */
  failing?: boolean;
  onChanged(): void;
  /** False once another part of the page acted after this one: its status line is stale then. */
  statusCurrent?: boolean;
  onStatus?: () => void;
}) {
  const [adding, setAdding] = useState(false);
  const [charge, setCharge] = useState<{ amount: string; message: string }>();
  const retry = useRechargeOutcome(props.api, props.accountId, props.methods);
  const [removing, setRemoving] = useState<string>();
  const [error, setError] = useState<Error>();
  const [closedToken, setClosedToken] = useState(0);
  /** What the last save did, said once: a card saved again replaces its copy rather than sitting beside it. */
  const [savedNote, setSavedNote] = useState<string>();
  const showForm = !props.readOnly && props.provider !== undefined && (adding || (props.openFormToken ?? 0) > closedToken);

  // While failing, saving a card charges it: ask the server what, before the user saves.
  useEffect(() => {
    if (!showForm || !props.failing) {
      setCharge(undefined);
      return;
    }
    let live = true;
    props.api
      .send<{ will_charge: boolean; amount: string | null; message: string }>("POST", `/v1/accounts/${props.accountId}/payment-methods/preview`)
      .then((p) => live && setCharge(p.will_charge && p.amount ? { amount: p.amount, message: p.message } : undefined))
      .catch(() => live && setCharge(undefined));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [showForm, props.failing, props.accountId]);

  // The retry's outcome reloads the page (the balance and the banners move).
  const settled = retry.outcome?.state === "succeeded" || retry.outcome?.state === "failed";
  useEffect(() => {
    if (settled) props.onChanged();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled]);

  async function makeDefault(pm: PaymentMethod) {
    setError(undefined);
    try {
      await props.api.send("PATCH", `/v1/accounts/${props.accountId}/payment-methods/${pm.id}`, { default: true });
      props.onStatus?.();
      setSavedNote(`${cardLabel(pm)} is now your default card. Nothing was charged.`);
      props.onChanged();
    } catch (e) {
      setError(e as Error);
    }
  }

  async function remove(id: string) {
    setError(undefined);
    try {
      await props.api.send("DELETE", `/v1/accounts/${props.accountId}/payment-methods/${id}`);
      setRemoving(undefined);
      setSavedNote(undefined);
      props.onChanged();
    } catch (e) {
      setError(e as Error);
    }
  }

  const close = () => {
    setAdding(false);
    setClosedToken(props.openFormToken ?? 0);
  };

  return (
    <section className="card" aria-labelledby="cards-title" id="payment-methods">
      <h2 id="cards-title">Payment methods</h2>
      {props.methods && props.methods.length === 0 && <p className="muted">No card saved yet.</p>}
      <ul className="cards" aria-label="Saved cards">
        {props.methods?.map((pm) => (
          <li key={pm.id} className="saved-card">
            <span className="mono">{cardLabel(pm)}</span>
            <span className="muted">
              expires {String(pm.exp_month).padStart(2, "0")}/{pm.exp_year}
            </span>
            {pm.is_default && <span className="tag">Default</span>}
            {!props.readOnly && !pm.is_default && (
              <button type="button" className="small" aria-label={`Make ${cardLabel(pm)} the default card`} onClick={() => void makeDefault(pm)}>
                Make default
              </button>
            )}
            {!props.readOnly &&
              (removing === pm.id ? (
                <InlineConfirm question={`Remove ${cardLabel(pm)}?`} confirmLabel="Remove" onConfirm={() => void remove(pm.id)} onCancel={() => setRemoving(undefined)} />
              ) : (
                <button type="button" className="small" aria-label={`Remove ${cardLabel(pm)}`} onClick={() => setRemoving(pm.id)}>
                  Remove
                </button>
              ))}
          </li>
        ))}
      </ul>
      <ErrorText error={error} />
      {savedNote && !showForm && props.statusCurrent !== false && (
        <p role="status" data-testid="card-saved" className={retry.outcome?.state === "failed" ? "field-error" : undefined}>
          {savedNote}
          {retry.outcome && ` ${retry.outcome.text}`}
        </p>
      )}
      {showForm ? (
        <AddCardForm
          api={props.api}
          accountId={props.accountId}
          provider={props.provider!}
          focusToken={props.openFormToken ?? 0}
          charge={charge}
          onAdded={(card) => {
            close();
            props.onStatus?.();
            retry.clear();
            if (card.triggered_recharge_id) {
              retry.watch({ id: card.triggered_recharge_id, amount: charge?.amount ?? "0.00", payment_method_id: card.id, status: "pending", failure_message: null });
            }
            setSavedNote(
              card.replaced_payment_method_id
                ? `This card was already saved: ${cardLabel(card)} now has the details you entered and replaces the earlier copy.`
                : `Saved ${cardLabel(card)}${card.is_default ? " as your default card" : ""}.`,
            );
            emitEvent("card.added", { payment_method_id: card.id, brand: card.brand, last4: card.last4, is_default: card.is_default });
            props.onChanged();
          }}
          onCancel={close}
        />
      ) : (
        !props.readOnly && (
          <button
            type="button"
            onClick={() => {
              setSavedNote(undefined);
              setAdding(true);
            }}
          >
            Add a card
          </button>
        )
      )}
    </section>
  );
}
