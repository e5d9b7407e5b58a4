/** "Remove Visa •••• 4242? [Remove] [Keep]": a destructive action asked once more, in place. */
export function InlineConfirm(props: {
  question: string;
  confirmLabel: string;
  cancelLabel?: string;
  /** A destructive action's button is red; a constructive one (rotate) is the primary colour. */
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <span className="inline-confirm">
      {props.question}{" "}
      <button type="button" className={`${props.danger === false ? "primary" : "danger"} small`} disabled={props.busy} onClick={props.onConfirm}>
        {props.confirmLabel}
      </button>
      <button type="button" className="small" onClick={props.onCancel}>
        {props.cancelLabel ?? "Keep"}
      </button>
    </span>
  );
}
