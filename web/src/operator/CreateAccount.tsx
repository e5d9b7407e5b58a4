import { useState, type FormEvent } from "react";
import type { Api } from "../api/client.js";
import type { Account } from "../api/types.js";
import { ErrorText } from "../components/ErrorText.js";

/** Creates a user, agency or (under `parentId`) subaccount; the new account opens next. */
export function CreateAccount({ api, parentId, onCreated }: { api: Api; parentId?: string; onCreated(id: string): void }) {
  const [name, setName] = useState("");
  const [type, setType] = useState<"user" | "agency">("user");
  const [email, setEmail] = useState("");
  const [webWidget, setWebWidget] = useState(true);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const what = parentId ? "subaccount" : "account";

  async function create(event: FormEvent) {
    event.preventDefault();
    if (name.trim() === "") return setError(new Error("Give the account a name."));
    setError(undefined);
    setBusy(true);
    try {
      const created = await api.send<Account>("POST", "/v1/accounts", {
        name: name.trim(),
        type: parentId ? "subaccount" : type,
        ...(parentId ? { parent_id: parentId } : {}),
        ...(email.trim() ? { email: email.trim() } : {}),
        web_widget: webWidget,
      });
      setName("");
      setEmail("");
      onCreated(created.id);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby={`create-${what}-title`}>
      <h2 id={`create-${what}-title`}>Create {parentId ? "a subaccount" : "an account"}</h2>
      <form onSubmit={create} noValidate>
        <div className="row">
          <div className="field">
            <label htmlFor={`new-${what}-name`}>Name</label>
            <input id={`new-${what}-name`} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
          </div>
          {!parentId && (
            <div className="field">
              <label htmlFor="new-account-type">Account type</label>
              <select id="new-account-type" value={type} onChange={(e) => setType(e.target.value as "user" | "agency")}>
                <option value="user">User</option>
                <option value="agency">Agency</option>
              </select>
            </div>
          )}
          <div className="field">
            <label htmlFor={`new-${what}-email`}>Email for notices (optional)</label>
            <input id={`new-${what}-email`} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
        </div>
        <label className="check">
          <input type="checkbox" checked={webWidget} onChange={(e) => setWebWidget(e.target.checked)} /> Web Widget on (its calls bill at the lower per-minute rate)
        </label>
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : parentId ? "Create subaccount" : "Create account"}
        </button>
      </form>
    </section>
  );
}
