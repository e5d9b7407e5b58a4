import type { AuditEntry, Page } from "../api/types.js";
import { pageQuery, useCursorPages } from "../api/paging.js";
import { useResource } from "../api/use-resource.js";
import { ErrorText } from "../components/ErrorText.js";
import { Pager } from "../components/Pager.js";
import { useSession } from "../session/session.js";
import { dateTimeText } from "../text/date-time.js";
import { actorText, changeLines, entryTitle } from "./audit-words.js";

/** The audit log (docs/concepts.md): every change to the account, who made it, before → after; newest first. */
export function Activity() {
  const { api, me } = useSession();
  const pages = useCursorPages();
  const { cursor } = pages;
  const log = useResource(() => api.get<Page<AuditEntry>>(`/v1/accounts/${me.id}/audit-log${pageQuery(20, cursor)}`), [me.id, cursor]);
  return (
    <section className="card" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      <p className="muted">Every change to this account's settings, cards, keys and balance, and who made it.</p>
      <ErrorText error={log.error} />
      <ol className="activity" aria-label="Activity">
        {log.data?.data.map((entry) => (
          <li key={entry.id}>
            <div>
              <strong>{entryTitle(entry)}</strong> <span className="muted small">{dateTimeText(entry.created_at)}</span>
            </div>
            <div className="muted small">
              by {actorText(entry.actor)} · request <span className="mono">{entry.request_id}</span>
            </div>
            <ul className="small">
              {changeLines(entry.changes).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {log.data && log.data.data.length === 0 && <p className="muted">No change yet.</p>}
      <Pager pages={pages} next={log.data?.next_cursor} />
    </section>
  );
}
