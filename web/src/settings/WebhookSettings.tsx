import { useState, type FormEvent } from "react";
import type { Delivery, NewWebhookEndpoint, Page, WebhookEndpoint } from "../api/types.js";
import { pageQuery, useCursorPages } from "../api/paging.js";
import { useResource } from "../api/use-resource.js";
import { useAction } from "../api/use-action.js";
import { ErrorText } from "../components/ErrorText.js";
import { InlineConfirm } from "../components/InlineConfirm.js";
import { Pager } from "../components/Pager.js";
import { useSession } from "../session/session.js";
import { dateTimeText } from "../text/date-time.js";
import { SecretOnce } from "./SecretOnce.js";
import { answerText } from "./delivery-words.js";

type EventType = NonNullable<WebhookEndpoint["events"]>[number];

/** Each event a webhook can carry, as the form names it; the type itself is what a receiver switches on. */
const EVENTS: Record<EventType, string> = {
  "recharge.succeeded": "Payment succeeded (receipt)",
  "recharge.failed": "Payment failed",
  "balance.low": "Balance low",
  "account.paused": "Account paused",
  "account.resumed": "Account resumed",
  "auto_recharge.updated": "Auto-Recharge settings changed",
  "auto_recharge.limit_reached": "Auto-Recharge limit reached",
  "balance.alert": "Balance alert",
  "balance.recovered": "Balance recovered above an alert",
  "refund.succeeded": "Refund made",
  "dispute.opened": "Payment disputed",
  "dispute.closed": "Dispute closed",
  "call.wrap_up": "Call about to run out of credit",
};
const EVENT_TYPES = Object.keys(EVENTS) as EventType[];

const DELIVERY_STATUS: Record<Delivery["status"], string> = { pending: "Pending", delivered: "Delivered", failed: "Failed" };

/** Webhook endpoints (add with the secret shown once, remove) and the delivery log with resend. */
export function WebhookSettings() {
  const { api, me } = useSession();
  const [refresh, setRefresh] = useState(0);
  const endpoints = useResource(() => api.get<Page<WebhookEndpoint>>(`/v1/accounts/${me.id}/webhook-endpoints`), [me.id, refresh]);
  const pages = useCursorPages();
  const { cursor } = pages;
  // A pending delivery changes by itself: the log is polled while the page is open.
  const log = useResource(() => api.get<Page<Delivery>>(`/v1/accounts/${me.id}/deliveries${pageQuery(10, cursor)}`), [me.id, cursor, refresh], 5_000);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<Set<EventType>>(new Set(EVENT_TYPES));
  const [created, setCreated] = useState<NewWebhookEndpoint>();
  const [removing, setRemoving] = useState<string>();
  const [resent, setResent] = useState<string>();
  const { act, busy, error, setError } = useAction(() => setRefresh((n) => n + 1));

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (events.size === 0) return setError(new Error("Choose at least one event to send."));
    void act(async () => {
      // Every event chosen: leave `events` out, so events added later are sent too.
      const body = events.size === EVENT_TYPES.length ? { url: url.trim() } : { url: url.trim(), events: EVENT_TYPES.filter((t) => events.has(t)) };
      setCreated(await api.send<NewWebhookEndpoint>("POST", `/v1/accounts/${me.id}/webhook-endpoints`, body));
      setUrl("");
    });
  };

  const toggle = (type: EventType, on: boolean) => {
    const next = new Set(events);
    if (on) next.add(type);
    else next.delete(type);
    setEvents(next);
  };

  return (
    <section className="card" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p className="muted">Your backend hears of payments and pauses as they happen: each event is POSTed, signed, and retried until it is received.</p>
      <ul className="plain-list" aria-label="Webhook endpoints">
        {endpoints.data?.data.map((endpoint) => (
          <li key={endpoint.id}>
            <span className="mono">{endpoint.url}</span>{" "}
            <span className="muted small">{endpoint.events ? endpoint.events.map((t) => EVENTS[t]).join(", ") : "every event"}</span>{" "}
            {removing === endpoint.id ? (
              <InlineConfirm
                question="Stop sending to it?"
                confirmLabel="Remove"
                busy={busy}
                onConfirm={() => void act(async () => void (await api.send("DELETE", `/v1/accounts/${me.id}/webhook-endpoints/${endpoint.id}`)))}
                onCancel={() => setRemoving(undefined)}
              />
            ) : (
              <button type="button" className="small" aria-label={`Remove ${endpoint.url}`} onClick={() => setRemoving(endpoint.id)}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {endpoints.data && endpoints.data.data.length === 0 && <p className="muted">No endpoint yet.</p>}
      {created && <SecretOnce label={`Signing secret for ${created.url}`} value={created.secret} onDone={() => setCreated(undefined)} />}
      <form onSubmit={add} noValidate aria-label="Add a webhook endpoint">
        <div className="field">
          <label htmlFor="webhook-url">Endpoint URL</label>
          <input id="webhook-url" type="url" inputMode="url" value={url} placeholder="https://example.com/hooks/prepaid" onChange={(e) => setUrl(e.target.value)} />
          <p className="muted small">HTTPS. Verify each request with the signing secret (docs/webhooks.md).</p>
        </div>
        <fieldset className="field">
          <legend>Events</legend>
          {EVENT_TYPES.map((type) => (
            <label key={type} className="check">
              <input type="checkbox" checked={events.has(type)} onChange={(e) => toggle(type, e.target.checked)} /> {EVENTS[type]} <code className="small">{type}</code>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={busy || url.trim() === ""}>
          Add endpoint
        </button>
      </form>
      <ErrorText error={error ?? endpoints.error ?? log.error} />

      <h3>Deliveries</h3>
      {resent && (
        <p role="status" className="ok">
          {resent}
        </p>
      )}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Deliveries">
        <table aria-label="Deliveries">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Event</th>
              <th scope="col">To</th>
              <th scope="col">Status</th>
              <th scope="col">Last answer</th>
              <th scope="col">
                <span className="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {log.data?.data.map((d) => (
              <tr key={d.id}>
                <td>{dateTimeText(d.created_at)}</td>
                <td>{EVENTS[d.type]}</td>
                <td className="mono small">{d.channel === "email" ? `email ${d.target}` : d.target}</td>
                <td>
                  <span className={`status status-${d.status === "delivered" ? "succeeded" : d.status}`}>{DELIVERY_STATUS[d.status]}</span>{" "}
                  <span className="muted small">
                    {d.attempts} {d.attempts === 1 ? "try" : "tries"}
                    {d.status === "pending" && d.next_attempt_at ? `, next ${dateTimeText(d.next_attempt_at)}` : ""}
                  </span>
                </td>
                <td className="small">{d.last_error ?? (d.last_status_code ? answerText(d.channel, d.last_status_code) : "")}</td>
                <td>
                  {d.status !== "delivered" && (
                    <button
                      type="button"
                      className="small"
                      disabled={busy}
                      aria-label={`Resend ${EVENTS[d.type]} to ${d.target}`}
                      onClick={() =>
                        void act(async () => {
                          await api.send("POST", `/v1/accounts/${me.id}/deliveries/${d.id}/resend`);
                          setResent(`Resending ${EVENTS[d.type]} to ${d.target} now.`);
                        })
                      }
                    >
                      Resend
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {log.data && log.data.data.length === 0 && <p className="muted">Nothing sent yet.</p>}
      </div>
      <Pager pages={pages} next={log.data?.next_cursor} />
    </section>
  );
}
