import { useState, type FormEvent } from "react";
import type { ApiKeyRecord, NewApiKey, Page } from "../api/types.js";
import { useResource } from "../api/use-resource.js";
import { useAction } from "../api/use-action.js";
import { ErrorText } from "../components/ErrorText.js";
import { InlineConfirm } from "../components/InlineConfirm.js";
import { useSession } from "../session/session.js";
import { dateTimeText } from "../text/date-time.js";
import { SecretOnce } from "./SecretOnce.js";

const SCOPES: Record<ApiKeyRecord["scope"], string> = {
  full: "Full: everything this account may do",
  read: "Read: look, never change",
  usage: "Usage: start calls and report their usage (for call infrastructure)",
};

// One rotation's overlap: long enough to deploy the new key everywhere, short enough not to linger.
const ROTATION_GRACE_SECONDS = 3_600;

function keyState(key: ApiKeyRecord, now: number): string {
  if (key.revoked_at && Date.parse(key.revoked_at) <= now) return `Revoked ${dateTimeText(key.revoked_at)}`;
  if (key.expires_at && Date.parse(key.expires_at) <= now) return `Expired ${dateTimeText(key.expires_at)}`;
  if (key.expires_at) return `Works until ${dateTimeText(key.expires_at)}`;
  return "Active";
}

/**
 * The account's API keys: list (name, scope, last used), create with a scope, revoke, rotate.
 * Shown only when signed in with a full key: keys are the platform backend's, and a session
 * in the platform's page may not mint a credential that outlives it (docs/concepts.md).
 */
export function ApiKeys() {
  const { api, me } = useSession();
  const [refresh, setRefresh] = useState(0);
  const keys = useResource(() => api.get<Page<ApiKeyRecord>>(`/v1/accounts/${me.id}/api-keys`), [me.id, refresh]);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<ApiKeyRecord["scope"]>("read");
  const [shown, setShown] = useState<{ label: string; key: string }>();
  const [confirming, setConfirming] = useState<{ id: string; action: "revoke" | "rotate" }>();
  const now = Date.now();
  const { act, busy, error } = useAction(() => {
    setConfirming(undefined);
    setRefresh((n) => n + 1);
  });

  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const made = await api.send<NewApiKey>("POST", `/v1/accounts/${me.id}/api-keys`, { ...(name.trim() ? { name: name.trim() } : {}), scope });
      setShown({ label: `New ${made.scope} key ${made.name ?? made.prefix}`, key: made.key });
      setName("");
    });
  };

  const label = (key: ApiKeyRecord) => key.name ?? key.prefix;
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p className="muted">For your backend and call infrastructure. A key is shown once, when it is made; keep only what you use.</p>
      {shown && <SecretOnce label={shown.label} value={shown.key} onDone={() => setShown(undefined)} />}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="API keys, scrollable">
        <table aria-label="API keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Key</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data?.data.map((key) => {
              const state = keyState(key, now);
              const live = !state.startsWith("Revoked") && !state.startsWith("Expired");
              const asking = confirming?.id === key.id ? confirming.action : undefined;
              return (
                <tr key={key.id}>
                  <td>{key.name ?? <span className="muted">unnamed</span>}</td>
                  <td>{key.scope}</td>
                  <td className="mono small">{key.prefix}…</td>
                  <td>{key.last_used_at ? dateTimeText(key.last_used_at) : "never"}</td>
                  <td>{state}</td>
                  <td>
                    {live && !asking && (
                      <>
                        <button type="button" className="small" aria-label={`Rotate ${label(key)}`} onClick={() => setConfirming({ id: key.id, action: "rotate" })}>
                          Rotate
                        </button>{" "}
                        <button type="button" className="small danger" aria-label={`Revoke ${label(key)}`} onClick={() => setConfirming({ id: key.id, action: "revoke" })}>
                          Revoke
                        </button>
                      </>
                    )}
                    {asking === "revoke" && (
                      <InlineConfirm
                        question={
                          key.id === me.credential.id
                            ? `Revoke ${label(key)}? You are signed in with this key: this page signs you out, and every request with it fails within seconds.`
                            : `Revoke ${label(key)}? Requests with it fail within seconds.`
                        }
                        confirmLabel="Revoke"
                        busy={busy}
                        onConfirm={() => void act(async () => void (await api.send("DELETE", `/v1/accounts/${me.id}/api-keys/${key.id}`)))}
                        onCancel={() => setConfirming(undefined)}
                      />
                    )}
                    {asking === "rotate" && (
                      <InlineConfirm
                        question={`Make a new key; ${label(key)} keeps working for an hour.`}
                        confirmLabel="Rotate"
                        cancelLabel="Cancel"
                        danger={false}
                        busy={busy}
                        onConfirm={() =>
                          void act(async () => {
                            const made = await api.send<NewApiKey>("POST", `/v1/accounts/${me.id}/api-keys/${key.id}/rotate`, { grace_seconds: ROTATION_GRACE_SECONDS });
                            setShown({ label: `New key replacing ${label(key)}`, key: made.key });
                          })
                        }
                        onCancel={() => setConfirming(undefined)}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <form onSubmit={create} noValidate aria-label="Create an API key" className="row">
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input id="key-name" value={name} maxLength={100} placeholder="e.g. telephony" onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="key-scope">Scope</label>
          <select id="key-scope" value={scope} onChange={(e) => setScope(e.target.value as ApiKeyRecord["scope"])}>
            {(Object.keys(SCOPES) as ApiKeyRecord["scope"][]).map((s) => (
              <option key={s} value={s}>
                {SCOPES[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy}>
          Create key
        </button>
      </form>
      <ErrorText error={error ?? keys.error} />
    </section>
  );
}
