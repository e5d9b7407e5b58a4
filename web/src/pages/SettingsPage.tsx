import { useResource } from "../api/use-resource.js";
import type { Account } from "../api/types.js";
import { ErrorText } from "../components/ErrorText.js";
import { useSession } from "../session/session.js";
import { Activity } from "../settings/Activity.js";
import { ApiKeys } from "../settings/ApiKeys.js";
import { BrandingSettings } from "../settings/BrandingSettings.js";
import { EmailSettings } from "../settings/EmailSettings.js";
import { WebhookSettings } from "../settings/WebhookSettings.js";

/**
 * The account's own settings. Who sees what follows what the server allows: a viewer reads
 * email, branding and Activity with no control; webhooks are the owner's; API keys need a
 * full key (never a session, docs/concepts.md), so a session is told where keys are managed.
 */
export function SettingsPage() {
  const { api, me, canEdit, canManageKeys } = useSession();
  const account = useResource(() => api.get<Account>(`/v1/accounts/${me.id}`), [me.id]);
  return (
    <>
      <h1>Settings</h1>
      <ErrorText error={account.error} />
      {account.data && <EmailSettings account={account.data} onSaved={() => void account.reload()} />}
      {canEdit && <WebhookSettings />}
      {canManageKeys ? (
        <ApiKeys />
      ) : (
        canEdit && (
          <section className="card" aria-labelledby="keys-title">
            <h2 id="keys-title">API keys</h2>
            <p className="muted">API keys are made and revoked by your platform's backend, or here when signed in with a full API key: a page opened from the platform cannot make keys that outlive it.</p>
          </section>
        )
      )}
      <BrandingSettings />
      <Activity />
    </>
  );
}
