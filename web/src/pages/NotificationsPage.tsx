import { useState } from "react";
import type { Notification } from "../api/types.js";
import { pageQuery, useCursorPages } from "../api/paging.js";
import { useResource } from "../api/use-resource.js";
import { ErrorText } from "../components/ErrorText.js";
import { Pager } from "../components/Pager.js";
import { useSession } from "../session/session.js";
import { dateTimeText } from "../text/date-time.js";

/** The in-app feed, newest first. Opening it does not mark anything read: the user says so. */
export function NotificationsPage() {
  const { api, me, feedChanged, canEdit } = useSession();
  const pages = useCursorPages();
  const [refresh, setRefresh] = useState(0);
  const [error, setError] = useState<Error>();
  const { cursor } = pages;
  const feed = useResource(
    () =>
      api.get<{ data: Notification[]; next_cursor: string | null; unread: number }>(
        `/v1/accounts/${me.id}/notifications${pageQuery(20, cursor)}`,
      ),
    [me.id, cursor, refresh],
    10_000,
  );

  async function markRead(ids: string[] | "all") {
    setError(undefined);
    try {
      await api.send("POST", `/v1/accounts/${me.id}/notifications/read`, { ids });
      setRefresh((n) => n + 1);
      feedChanged();
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <>
      <div className="section-head">
        <h1>Notifications</h1>
        {/* Marking read is a write: a viewer (or a read key) reads the feed without the controls. */}
        {canEdit && (
          <button type="button" onClick={() => void markRead("all")} disabled={!feed.data?.unread}>
            Mark all as read
          </button>
        )}
      </div>
      <ErrorText error={feed.error ?? error} />
      <section className="card">
        {feed.data?.data.length === 0 && <p className="muted">No notifications yet.</p>}
        <ul className="feed" aria-label="Notifications">
          {feed.data?.data.map((n) => (
            <li key={n.id} className={n.read ? "read" : "unread"}>
              <div>
                <span className="tag" data-type={n.type}>{n.title}</span>
                {!n.read && <span className="sr-only">unread</span>}
                <time dateTime={n.created_at} className="muted small">
                  {" "}
                  {dateTimeText(n.created_at)}
                </time>
              </div>
              <p>{n.message}</p>
              {n.account_id !== me.id && <p className="muted small">about subaccount {n.account_id}</p>}
              {!n.read && canEdit && (
                <button type="button" className="link small" onClick={() => void markRead([n.id])}>
                  Mark as read
                </button>
              )}
            </li>
          ))}
        </ul>
        <Pager pages={pages} next={feed.data?.next_cursor} />
      </section>
    </>
  );
}
