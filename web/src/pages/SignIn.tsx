import { useState, type FormEvent } from "react";
import { ApiError, createApi } from "../api/client.js";
import type { Me } from "../api/types.js";
import type { Credential } from "../session/session.js";

// A working day: the console signs in once in the morning; the session ends on its own at night.
const OPERATOR_SESSION_SECONDS = 8 * 3_600;

/**
 * Signs in with an account's API key, or with the operator key, which opens an operator
 * session: the tab keeps that session's token (it expires and can be ended), never the key.
 */
export function SignIn({ onSignedIn, notice }: { onSignedIn(credential: Credential, me: Me | undefined): void; notice?: string | undefined }) {
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
      const api = createApi(trimmed);
      let me: Me | undefined;
      try {
        me = await api.get<Me>("/v1/me");
      } catch (e) {
        // The operator key belongs to no account: /v1/me says so with a 400.
        if (!(e instanceof ApiError && e.status === 400)) throw e;
      }
      if (me) return onSignedIn({ token: trimmed, kind: "key", role: "owner", returnUrl: null }, me);
      const opened = await api.send<{ token: string }>("POST", "/v1/operator/sessions", { ttl_seconds: OPERATOR_SESSION_SECONDS });
      onSignedIn({ token: opened.token, kind: "operator", role: "operator", returnUrl: null }, undefined);
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
        <p className="muted">Sign in with your account's API key to manage your wallet and payments, or with the operator key to open the operator console.</p>
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
