import type { ReactNode } from "react";

/**
 * The last step of an operator's money form: "Review …" submits the form; then what would
 * happen is said in words, with "[Give credit] [Cancel]" in place. Nothing is sent before
 * the second click. `summary` undefined: not reviewing yet.
 */
export function ReviewStep(props: {
  /** What is confirmed, for the group's accessible name: "Confirm the refund". */
  subject: string;
  summary: ReactNode | undefined;
  reviewLabel: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  if (props.summary === undefined) return <button type="submit">{props.reviewLabel}</button>;
  return (
    <div className="confirm" role="group" aria-label={`Confirm the ${props.subject}`}>
      <p>{props.summary}</p>
      <button type="button" className="primary" disabled={props.busy} onClick={props.onConfirm}>
        {props.confirmLabel}
      </button>{" "}
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}
