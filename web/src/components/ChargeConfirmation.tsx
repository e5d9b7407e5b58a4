import type { ReactNode } from "react";

/**
 * The last step before money moves: what will be charged, on which card, and the two choices.
 * Add funds and Auto-Recharge's threshold sync both end here; nothing is charged before
 * *Confirm and charge*.
 */
export function ChargeConfirmation(props: {
  /** The id of the sentence naming amount and card (the dialog is labelled by it). */
  id: string;
  testId: string;
  sentence: ReactNode;
  detail?: ReactNode;
  busy: boolean;
  /** The confirm button's words (default: Confirm and charge). */
  confirmLabel?: string;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <div className="confirm" role="alertdialog" aria-labelledby={props.id}>
      <p id={props.id} data-testid={props.testId}>
        {props.sentence}
      </p>
      {props.detail && <p className="muted small">{props.detail}</p>}
      <button type="button" className="primary" onClick={props.onConfirm} disabled={props.busy}>
        {props.confirmLabel ?? "Confirm and charge"}
      </button>
      <button type="button" onClick={props.onCancel} disabled={props.busy}>
        Cancel
      </button>
    </div>
  );
}
