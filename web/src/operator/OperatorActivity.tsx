import { useEffect, useState } from "react";
import type { Api } from "../api/client.js";
import type { AuditEntry, Page } from "../api/types.js";
import { pageQuery, useCursorPages } from "../api/paging.js";
import { useResource } from "../api/use-resource.js";
import { ErrorText } from "../components/ErrorText.js";
import { Pager } from "../components/Pager.js";
import { dateTimeText } from "../text/date-time.js";
import { actionText, actorText, changeLines, entryTitle } from "../settings/audit-words.js";

const ACTIONS = [
  "account.created",
  "subaccount.created",
  "account.updated",
  "auto_recharge.updated",
  "payment_method.added",
  "payment_method.removed",
  "payment_method.default",
  "recharge.requested",
  "balance.adjusted",
  "refund.requested",
  "grant.issued",
  "fee.created",
  "fee.stopped",
  "resale.updated",
  "api_key.created",
  "api_key.revoked",
  "api_key.rotated",
  "session.opened",
  "webhook_endpoint.created",
  "webhook_endpoint.deleted",
  "delivery.resent",
  "alerts.updated",
  "branding.updated",
];

/**
 * Every account's audit log in one list (GET /v1/audit-log), newest first, for the operator:
 * narrowed by account, action and who acted. Each row names its account and links to it.
 */
export function OperatorActivity({ api, navigate }: { api: Api; navigate(path: string): void }) {
  const [accountText, setAccountText] = useState("");
  const [accountId, setAccountId] = useState("");
  const [action, setAction] = useState("");
  const [actorType, setActorType] = useState("");
  const pages = useCursorPages();
  const { cursor, reset } = pages;
  // The account filter is an id: applied a moment after typing stops, not on each key.
  useEffect(() => {
    const timer = setTimeout(() => setAccountId(accountText.trim()), 300);
    return () => clearTimeout(timer);
  }, [accountText]);
  useEffect(() => reset(), [accountId, action, actorType]); // eslint-disable-line react-hooks/exhaustive-deps
  const query = new URLSearchParams();
  if (/^acct_[A-Za-z0-9]+$/.test(accountId)) query.set("account_id", accountId);
  if (action) query.set("action", action);
  if (actorType) query.set("actor_type", actorType);
  const filters = query.toString();
  const log = useResource(() => api.get<Page<AuditEntry>>(`/v1/audit-log${pageQuery(25, cursor)}${filters ? `&${filters}` : ""}`), [filters, cursor]);
  return (
    <>
      <h1>Activity</h1>
      <p className="muted">Every change made on any account: by whom, when, before and after.</p>
      <div className="filters" role="group" aria-label="Filter the activity">
        <div className="field">
          <label htmlFor="activity-account">Account id</label>
          <input id="activity-account" className="mono" placeholder="acct_…" value={accountText} onChange={(e) => setAccountText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="activity-action">Action</label>
          <select id="activity-action" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">Any</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {actionText(a)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="activity-actor">Who</label>
          <select id="activity-actor" value={actorType} onChange={(e) => setActorType(e.target.value)}>
            <option value="">Anyone</option>
            <option value="operator">The operator</option>
            <option value="api_key">An API key</option>
            <option value="session">A Payments page session</option>
          </select>
        </div>
      </div>
      <ErrorText error={log.error} />
      <ol className="activity" aria-label="Activity">
        {log.data?.data.map((entry) => (
          <li key={entry.id}>
            <div>
              <strong>{entryTitle(entry)}</strong> <span className="muted small">{dateTimeText(entry.created_at)}</span>
            </div>
            <div className="muted small">
              <a
                href={`/operator/accounts/${entry.account_id}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/operator/accounts/${entry.account_id}`);
                }}
              >
                {entry.account_name}
              </a>{" "}
              · by {actorText(entry.actor)} · request <span className="mono">{entry.request_id}</span>
            </div>
            <ul className="small">
              {changeLines(entry.changes).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {log.data && log.data.data.length === 0 && <p className="muted">Nothing matches.</p>}
      <Pager pages={pages} next={log.data?.next_cursor} />
    </>
  );
}
