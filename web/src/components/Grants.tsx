import type { Api } from "../api/client.js";
import type { Grant, Page } from "../api/types.js";
import { useResource } from "../api/use-resource.js";
import { formatMicros } from "../../../src/money/micros.js";
import { parseMicros, usdText } from "../money/display.js";
import { dateTimeText } from "../text/date-time.js";
import { ErrorText } from "./ErrorText.js";
import { expiringSoon } from "../grants/expiring-soon.js";

const CATEGORY: Record<Grant["category"], string> = { promotional: "Promotional credit", compensation: "Credit for a service problem" };
const STATUS: Record<Grant["status"], string> = { active: "", spent: "used up", expired: "expired" };

/**
 * Credit the operator granted (docs/concepts.md): what is left of each grant and when it expires,
 * spent by calls before paid credit, soonest-expiring first, with a notice when some expires
 * within three days. Nothing is shown to an account that never had a grant. `refresh`
 * reloads it (a grant is spent as calls run).
 */
export function Grants({ api, accountId, refresh }: { api: Api; accountId: string; refresh: string }) {
  const grants = useResource(() => api.get<Page<Grant>>(`/v1/accounts/${accountId}/grants?limit=50`), [accountId, refresh]);
  const list = grants.data?.data ?? [];
  if (grants.error) return <ErrorText error={grants.error} />;
  if (list.length === 0) return null;
  const soon = expiringSoon(list, new Date());
  const left = list.filter((g) => g.status === "active").reduce((sum, g) => sum + parseMicros(g.remaining), 0n);
  return (
    <section className="card" aria-labelledby="grants-title">
      <h2 id="grants-title">Granted credit</h2>
      {soon.length > 0 && (
        <p className="banner banner-warning" role="status" data-testid="grant-expiry-notice">
          {soon.map((g) => `${usdText(g.remaining)} of ${CATEGORY[g.category].toLowerCase()} expires ${dateTimeText(g.expires_at!)}.`).join(" ")} Calls use it before your paid balance.
        </p>
      )}
      <p className="muted">
        {left > 0n && `${usdText(formatMicros(left))} left. `}
        Calls spend granted credit first, the soonest to expire first; your paid balance never expires.
      </p>
      <ul className="plain-list" data-testid="grants">
        {list.map((g) => (
          <li key={g.id}>
            {CATEGORY[g.category]} · {usdText(g.amount)}
            {g.status === "active" ? ` · ${usdText(g.remaining)} left` : ` · ${STATUS[g.status]}`}
            {g.status === "expired" && g.expired !== null && parseMicros(g.expired) > 0n && ` (${usdText(g.expired)} unused)`}
            {g.status === "active" && (g.expires_at ? ` · expires ${dateTimeText(g.expires_at)}` : " · never expires")} · {g.reason}
          </li>
        ))}
      </ul>
    </section>
  );
}
