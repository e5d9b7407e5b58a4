import { useState, type FormEvent } from "react";
import type { Account } from "../api/types.js";
import { ErrorText } from "../components/ErrorText.js";
import { useSession } from "../session/session.js";

/** Where receipts and failure notices are emailed (PATCH /v1/accounts/{id} {email}). */
export function EmailSettings({ account, onSaved }: { account: Account; onSaved(): void }) {
  const { api, canEdit } = useSession();
  const [email, setEmail] = useState(account.email ?? "");
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setSaved(undefined);
    setBusy(true);
    try {
      const trimmed = email.trim();
      await api.send("PATCH", `/v1/accounts/${account.id}`, { email: trimmed === "" ? null : trimmed });
      setSaved(trimmed === "" ? "Saved: no notices are emailed." : `Saved: notices go to ${trimmed}.`);
      onSaved();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="email-title">
      <h2 id="email-title">Email for notices</h2>
      <p className="muted">Receipts, failed payments, a paused account and low balance are emailed here, besides Notifications.</p>
      {canEdit ? (
        <form onSubmit={save} noValidate>
          <div className="field">
            <label htmlFor="notice-email">Email</label>
            <input id="notice-email" type="email" autoComplete="email" value={email} placeholder="billing@example.com" onChange={(e) => setEmail(e.target.value)} />
            <p className="muted small">Leave empty to stop emails.</p>
          </div>
          <ErrorText error={error} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Save email"}
          </button>
          {saved && (
            <p role="status" className="ok">
              {saved}
            </p>
          )}
        </form>
      ) : (
        <p data-testid="notice-email">{account.email ?? "No email set."}</p>
      )}
    </section>
  );
}
