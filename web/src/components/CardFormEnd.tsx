import type { ReactNode } from "react";
import { usdText } from "../money/display.js";
import { ErrorText } from "./ErrorText.js";

/**
 * The end of every card form (the sandbox's and Stripe's): "make default", the form's error,
 * what saving will charge (a failing Auto-Recharge retried on the new card) said before the
 * click, and Save / Cancel. One place, so the two forms cannot drift apart.
 */
export function CardFormEnd(props: {
  makeDefault: boolean;
  setMakeDefault(on: boolean): void;
  error: Error | undefined;
  charge: { amount: string; message: ReactNode } | undefined;
  busy: boolean;
  /** Saving is possible (Stripe: its field is ready and complete). */
  canSave: boolean;
  onCancel(): void;
}) {
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={props.makeDefault} onChange={(e) => props.setMakeDefault(e.target.checked)} />
        Make this my default card
      </label>
      <ErrorText error={props.error} />
      {props.charge && (
        <p className="banner banner-info" data-testid="card-save-charge" id="card-save-charge">
          {props.charge.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.busy || !props.canSave} aria-describedby={props.charge ? "card-save-charge" : undefined}>
          {props.busy ? "Saving…" : props.charge ? `Save card and charge ${usdText(props.charge.amount)}` : "Save card"}
        </button>
        <button type="button" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
      </div>
    </>
  );
}
