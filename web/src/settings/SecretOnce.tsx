import { useState } from "react";

/**
 * A secret the server shows once (a new API key, a webhook signing secret): in a read-only
 * field to select or copy, with what to do with it. It lives in this component's props only
 * and is gone when the user dismisses it.
 */
export function SecretOnce({ label, value, onDone }: { label: string; value: string; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  const id = `secret-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <div className="secret-once" role="group" aria-labelledby={`${id}-label`}>
      <label id={`${id}-label`} htmlFor={id}>
        {label}
      </label>
      <div className="row">
        <input id={id} className="mono" readOnly value={value} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          onClick={() =>
            // The clipboard API needs a secure context (https or localhost); elsewhere the field is selected for the user to copy.
            void navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => undefined,
            )
          }
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <p className="muted small">Shown only now: store it where your backend keeps secrets. It cannot be shown again.</p>
      <button type="button" className="small" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
