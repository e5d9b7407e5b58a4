import { useState, type FormEvent } from "react";
import { ApiError, createApi } from "../api/client.js";
import type { Me } from "../api/types.js";

export function SignIn({ onSignedIn, notice }: { onSignedIn(key: string, me: Me): void; notice?: string | undefined }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return setError("Enter your API key.");
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(trimmed, await createApi(trimmed).get<Me>("/v1/me"));
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? "That key was not accepted: check it, or ask for a new one." : (e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form onSubmit={submit} className="card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">prepaid</h1>
        <p className="muted">Sign in with your account's API key to manage your wallet and payments.</p>
        {notice && <p role="status" className="banner banner-info">{notice}</p>}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="ppk_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
        />
        {error && <p role="alert" className="field-error">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="muted small">The key stays in this tab only. On the embedded default, <code>npm start</code> prints demo keys.</p>
      </form>
    </main>
  );
}
