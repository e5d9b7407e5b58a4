import { useEffect, useState, type FormEvent } from "react";
import type { Branding } from "../api/types.js";
import { useResource } from "../api/use-resource.js";
import { ErrorText } from "../components/ErrorText.js";
import { useSession } from "../session/session.js";

const HEX = /^#[0-9A-Fa-f]{6}$/;

/**
 * The name, logo and colour the account's pages show (its own; else its agency's). An empty
 * field clears it. The page adjusts text for contrast against the colour (branding/contrast.ts).
 */
export function BrandingSettings() {
  const { api, me, canEdit, brandingChanged } = useSession();
  const [refresh, setRefresh] = useState(0);
  const current = useResource(() => api.get<Branding>(`/v1/accounts/${me.id}/branding`), [me.id, refresh]);
  const own = current.data?.source === "own" ? current.data : undefined;
  const [draft, setDraft] = useState({ displayName: "", logoUrl: "", accentColor: "" });
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (current.data) setDraft({ displayName: own?.display_name ?? "", logoUrl: own?.logo_url ?? "", accentColor: own?.accent_color ?? "" });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current.data]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    const color = draft.accentColor.trim();
    if (color !== "" && !HEX.test(color)) return setError(new Error("The colour must be #RRGGBB, like #0B5FFF."));
    setBusy(true);
    try {
      const orNull = (text: string) => (text.trim() === "" ? null : text.trim());
      await api.send("PUT", `/v1/accounts/${me.id}/branding`, { display_name: orNull(draft.displayName), logo_url: orNull(draft.logoUrl), accent_color: orNull(color) });
      setSaved(true);
      setRefresh((n) => n + 1);
      brandingChanged();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  const inherited = current.data?.source === "agency" ? current.data : undefined;
  return (
    <section className="card" aria-labelledby="branding-title">
      <h2 id="branding-title">Branding</h2>
      <p className="muted">
        {inherited ? "These pages show your agency's branding; what you set here is shown instead." : "The name, logo and colour these pages show."}
        {me.type === "agency" && " Your subaccounts' pages show it too, unless they set their own."}
      </p>
      <form onSubmit={save} noValidate>
        <div className="field">
          <label htmlFor="brand-name">Display name</label>
          <input id="brand-name" value={draft.displayName} maxLength={100} disabled={!canEdit} placeholder={inherited?.display_name ?? "prepaid"} onChange={(e) => setDraft({ ...draft, displayName: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="brand-logo">Logo URL</label>
          <input id="brand-logo" type="url" value={draft.logoUrl} disabled={!canEdit} placeholder={inherited?.logo_url ?? "https://…/logo.png"} onChange={(e) => setDraft({ ...draft, logoUrl: e.target.value })} />
          <p className="muted small">https only.</p>
        </div>
        <div className="field">
          <label htmlFor="brand-color">Accent colour</label>
          <div className="row">
            <input id="brand-color" value={draft.accentColor} disabled={!canEdit} placeholder={inherited?.accent_color ?? "#0B5FFF"} onChange={(e) => setDraft({ ...draft, accentColor: e.target.value })} />
            <input
              type="color"
              aria-label="Pick the accent colour"
              disabled={!canEdit}
              value={HEX.test(draft.accentColor) ? draft.accentColor : "#0b5fff"}
              onChange={(e) => setDraft({ ...draft, accentColor: e.target.value.toUpperCase() })}
            />
          </div>
        </div>
        <ErrorText error={error ?? current.error} />
        {canEdit && (
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Save branding"}
          </button>
        )}
        {saved && (
          <p role="status" className="ok">
            Saved.
          </p>
        )}
      </form>
    </section>
  );
}
