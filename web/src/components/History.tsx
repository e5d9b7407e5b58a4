import { Fragment, useState } from "react";
import type { Api } from "../api/client.js";
import type { CallRecord, Page, Recharge, Transaction } from "../api/types.js";
import { pageQuery, useCursorPages } from "../api/paging.js";
import { useResource } from "../api/use-resource.js";
import { toCsv } from "../export/csv.js";
import { download } from "../export/download.js";
import { durationText, rechargeLabel, rechargeStatusText, refundedText, statementRows } from "../history/statement.js";
import { centsText, usdText } from "../money/display.js";
import { ErrorText } from "./ErrorText.js";
import { Pager } from "./Pager.js";
import { dateTimeText } from "../text/date-time.js";

const PAGE_SIZE = 10;
// An export walks every page at the API's largest page size; this bounds one click to 20 000 rows.
const EXPORT_PAGE_SIZE = 100;
const EXPORT_MAX_PAGES = 200;

type Tab = "calls" | "recharges" | "transactions";

const PROVIDER_NAMES: Record<Exclude<CallRecord["source"], "api">, string> = { twilio: "Twilio", vapi: "Vapi", retell: "Retell" };
const REFUSALS: Record<string, string> = {
  insufficient_credit: "not enough credit for the call's first minute",
  account_paused: "the account was paused",
  concurrency_limited: "the account was already running as many calls as it may",
};
const TAB_NAMES: Record<Tab, string> = { calls: "Calls", recharges: "Payments", transactions: "All transactions" };

// The CSV is the accountant's copy: exact amounts (µUSD decimals), ids and raw codes.
const COLUMNS = {
  calls: [
    { header: "call_id", value: (c: CallRecord) => c.id },
    { header: "started_at", value: (c: CallRecord) => c.started_at },
    { header: "ended_at", value: (c: CallRecord) => c.ended_at },
    { header: "status", value: (c: CallRecord) => c.status },
    { header: "billed_seconds", value: (c: CallRecord) => String(c.billed_seconds) },
    { header: "rate_per_minute_usd", value: (c: CallRecord) => c.rate_per_minute },
    { header: "amount_usd", value: (c: CallRecord) => c.amount },
    { header: "source", value: (c: CallRecord) => c.source },
    { header: "provider_call_id", value: (c: CallRecord) => c.provider_call_id },
    { header: "provider_duration_seconds", value: (c: CallRecord) => (c.provider_duration_seconds === null ? null : String(c.provider_duration_seconds)) },
    { header: "ended_by", value: (c: CallRecord) => c.ended_by },
  ],
  recharges: [
    { header: "id", value: (r: Recharge) => r.id },
    { header: "created_at", value: (r: Recharge) => r.created_at },
    { header: "trigger", value: (r: Recharge) => r.trigger },
    { header: "amount_usd", value: (r: Recharge) => r.amount },
    { header: "status", value: (r: Recharge) => r.status },
    { header: "card", value: (r: Recharge) => (r.card ? `${r.card.brand} ${r.card.last4}` : null) },
    { header: "failure_code", value: (r: Recharge) => r.failure_code },
    { header: "failure_message", value: (r: Recharge) => r.failure_message },
  ],
  transactions: [
    { header: "id", value: (t: Transaction) => t.id },
    { header: "created_at", value: (t: Transaction) => t.created_at },
    { header: "type", value: (t: Transaction) => t.type },
    { header: "amount_usd", value: (t: Transaction) => t.amount },
    { header: "balance_after_usd", value: (t: Transaction) => t.balance_after },
    { header: "call_id", value: (t: Transaction) => t.call_id },
    { header: "recharge_id", value: (t: Transaction) => t.recharge_id },
    { header: "reason", value: (t: Transaction) => t.reason },
  ],
};

/** An amount in cents, signed and coloured, with the exact figure on hover (and in the CSV). */
function Amount({ value, signed = true }: { value: string; signed?: boolean }) {
  return (
    <td className={`num ${signed ? (value.startsWith("-") ? "debit" : "credit") : ""}`} title={`Exact: ${usdText(value, { signed })}`}>
      {centsText(value, { signed })}
    </td>
  );
}

/** The button that opens a row's details; its label names the row, so a screen reader hears which. */
function DetailsToggle({ open, label, onToggle }: { open: boolean; label: string; onToggle(): void }) {
  return (
    <button type="button" className="small link" aria-expanded={open} aria-label={`${open ? "Hide" : "Show"} details of ${label}`} onClick={onToggle}>
      {open ? "Hide" : "Details"}
    </button>
  );
}

/**
 * Calls (one row each), payments (with the card charged) and every ledger entry (a call's
 * adjacent reports folded into one row), newest first, in cents with the exact amount on
 * hover; paged by the API's cursors, with CSV export of the exact figures.
 */
export function History({ api, accountId, refresh }: { api: Api; accountId: string; refresh: unknown }) {
  const [tab, setTab] = useState<Tab>("calls");
  const pages = useCursorPages();
  const { cursor } = pages;
  const [open, setOpen] = useState<string>();
  const [exportError, setExportError] = useState<Error>();
  const [exporting, setExporting] = useState(false);
  const [exportNote, setExportNote] = useState<string>();
  const base = `/v1/accounts/${accountId}/${tab}`;

  // The answer carries the tab it was asked for: right after a switch, the other tab's rows
  // (another shape) must not be drawn as this tab's.
  const loaded = useResource(
    async () => {
      const first = await api.get<Page<CallRecord | Recharge | Transaction>>(`${base}${pageQuery(PAGE_SIZE, cursor)}`);
      return { tab, page: tab === "transactions" ? await withWholeRun(api, base, first as Page<Transaction>) : first };
    },
    [base, cursor, refresh],
  );
  const page = { error: loaded.error, data: loaded.data?.tab === tab ? loaded.data.page : undefined };
  const toggle = (key: string) => setOpen(open === key ? undefined : key);

  const switchTo = (next: Tab) => {
    setTab(next);
    setOpen(undefined);
    pages.reset();
  };

  async function exportCsv() {
    setExporting(true);
    setExportError(undefined);
    setExportNote(undefined);
    try {
      const rows: unknown[] = [];
      let next: string | null = null;
      for (let i = 0; i < EXPORT_MAX_PAGES; i++) {
        const got: Page<unknown> = await api.get(`${base}${pageQuery(EXPORT_PAGE_SIZE, next)}`);
        rows.push(...got.data);
        next = got.next_cursor;
        if (!next) break;
      }
      const text =
        tab === "calls"
          ? toCsv(COLUMNS.calls, rows as CallRecord[])
          : tab === "recharges"
            ? toCsv(COLUMNS.recharges, rows as Recharge[])
            : toCsv(COLUMNS.transactions, rows as Transaction[]);
      download(`${accountId}-${tab}.csv`, text);
      // A browser tab is no place for an unbounded export; say so rather than cut silently.
      if (next) setExportNote(`Exported the newest ${rows.length} rows; older ones are in the API (${base}).`);
    } catch (e) {
      setExportError(e as Error);
    } finally {
      setExporting(false);
    }
  }

  // The receipt is fetched with the page's credential (a link could not carry it) and saved.
  async function saveReceipt(rechargeId: string) {
    setExportError(undefined);
    try {
      const { blob, filename } = await api.file(`/v1/accounts/${accountId}/recharges/${rechargeId}/receipt.pdf`);
      download(filename ?? `receipt-${rechargeId}.pdf`, blob);
    } catch (e) {
      setExportError(e as Error);
    }
  }

  const rows = page.data?.data;
  return (
    <section className="card history" aria-labelledby="history-title">
      <div className="section-head">
        <h2 id="history-title">History</h2>
        <button type="button" onClick={() => void exportCsv()} disabled={exporting}>
          {exporting ? "Exporting…" : "Export CSV"}
        </button>
      </div>
      <div role="tablist" aria-label="History" className="tabs">
        {(["calls", "recharges", "transactions"] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => switchTo(t)}>
            {TAB_NAMES[t]}
          </button>
        ))}
      </div>
      <ErrorText error={page.error ?? exportError} />
      {exportNote && <p role="status">{exportNote}</p>}
      {/* Focusable, so a keyboard can scroll a table wider than the screen (axe: scrollable-region-focusable). */}
      <div className="table-wrap" role="tabpanel" tabIndex={0} aria-label={TAB_NAMES[tab]}>
        {tab === "calls" && (
          <table aria-label="Calls">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Rate</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col">Status</th>
                <th scope="col"><span className="sr-only">Details</span></th>
              </tr>
            </thead>
            <tbody>
              {(rows as CallRecord[] | undefined)?.map((call) => (
                <Fragment key={call.id}>
                  <tr>
                    <td>{dateTimeText(call.started_at)}</td>
                    <td>{durationText(call.billed_seconds)}</td>
                    <td>{usdText(call.rate_per_minute)}/min</td>
                    <Amount value={call.amount} signed={false} />
                    <td>{call.status === "active" ? "In progress" : call.ended_by === "refused" ? "Refused" : "Ended"}</td>
                    <td>
                      <DetailsToggle open={open === call.id} label={`call ${call.id}`} onToggle={() => toggle(call.id)} />
                    </td>
                  </tr>
                  {open === call.id && (
                    <tr className="details">
                      <td colSpan={6}>
                        <dl className="facts">
                          <dt>Call</dt>
                          <dd className="mono">{call.id}</dd>
                          {call.source !== "api" && (
                            <>
                              <dt>From</dt>
                              <dd>
                                {PROVIDER_NAMES[call.source]} call <span className="mono">{call.provider_call_id}</span>
                                {call.provider_duration_seconds !== null && `; ${PROVIDER_NAMES[call.source]} counted ${call.provider_duration_seconds} seconds`}
                              </dd>
                            </>
                          )}
                          {call.refused_reason && (
                            <>
                              <dt>Refused</dt>
                              <dd>{REFUSALS[call.refused_reason] ?? call.refused_reason}; prepaid hung it up at the provider</dd>
                            </>
                          )}
                          <dt>Started</dt>
                          <dd>{dateTimeText(call.started_at)}</dd>
                          <dt>Ended</dt>
                          <dd>{call.ended_at ? dateTimeText(call.ended_at) : "still running"}</dd>
                          <dt>Billed</dt>
                          <dd>
                            {call.billed_seconds} seconds at {usdText(call.rate_per_minute)}/min = {usdText(call.amount)} exactly
                          </dd>
                        </dl>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
        {tab === "recharges" && (
          <table aria-label="Payments">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Payment</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Problem</th>
                <th scope="col">Receipt</th>
              </tr>
            </thead>
            <tbody>
              {(rows as Recharge[] | undefined)?.map((r) => (
                <tr key={r.id}>
                  <td>{dateTimeText(r.created_at)}</td>
                  <td>{rechargeLabel(r)}</td>
                  <Amount value={r.amount} signed={false} />
                  <td>
                    <span className={`status status-${r.status}`}>{rechargeStatusText(r.status)}</span>
                    {refundedText(r) && <span className="muted small"> · {refundedText(r)}</span>}
                  </td>
                  <td>{r.failure_message ?? ""}</td>
                  <td>
                    {r.status === "succeeded" && (
                      <button type="button" className="small" aria-label={`PDF receipt of the ${rechargeLabel(r)} payment of ${dateTimeText(r.created_at)}`} onClick={() => void saveReceipt(r.id)}>
                        PDF
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {tab === "transactions" && (
          <table aria-label="All transactions">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Type</th>
                <th scope="col">Description</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col" className="num">Balance</th>
              </tr>
            </thead>
            <tbody>
              {rows &&
                statementRows(rows as Transaction[]).map((row) => (
                  <Fragment key={row.key}>
                    <tr>
                      <td>{dateTimeText(row.createdAt)}</td>
                      <td>{row.type}</td>
                      <td>
                        {row.description}
                        {row.entries.length > 1 && <DetailsToggle open={open === row.key} label={row.description} onToggle={() => toggle(row.key)} />}
                      </td>
                      <Amount value={row.amount} />
                      {/* Whole cents toward zero, as the wallet card shows the balance: never more than is there. */}
                      <td className="num" title={`Exact: ${usdText(row.balanceAfter)}`}>
                        {usdText(row.balanceAfter, { cents: true })}
                      </td>
                    </tr>
                    {open === row.key &&
                      row.entries.map((e) => (
                        <tr key={e.id} className="details">
                          <td>{dateTimeText(e.created_at)}</td>
                          <td colSpan={2} className="muted">
                            Report
                          </td>
                          <td className="num">{usdText(e.amount, { signed: true })}</td>
                          <td className="num">{usdText(e.balance_after)}</td>
                        </tr>
                      ))}
                  </Fragment>
                ))}
            </tbody>
          </table>
        )}
        {rows && rows.length === 0 && <p className="muted">Nothing yet.</p>}
      </div>
      <Pager pages={pages} next={page.data?.next_cursor} />
    </section>
  );
}

/** Pages read at most to finish a call's run of reports at a page's end (a call reports a few times a minute). */
const RUN_PAGES_MAX = 5;

/**
 * A page of entries whose last rows are a call's reports that go on into the next page: the
 * rest of that run is moved onto this page (and the next page starts after it), so a call is
 * one row with its whole amount, never split across pages (6 reports here, 5 more there).
 * The API's cursor is opaque: the run's length is read from the next page, then that many
 * entries are asked for again, to get the cursor right after them.
 */
async function withWholeRun(api: Api, base: string, page: Page<Transaction>): Promise<Page<Transaction>> {
  const data = [...page.data];
  let next = page.next_cursor;
  for (let round = 0; round < RUN_PAGES_MAX && next; round++) {
    const last = data[data.length - 1];
    if (!last || last.type !== "usage" || last.call_id === null) break;
    const ahead = await api.get<Page<Transaction>>(`${base}${pageQuery(100, next)}`);
    const run = ahead.data.findIndex((e) => e.type !== "usage" || e.call_id !== last.call_id);
    const length = run === -1 ? ahead.data.length : run;
    if (length === 0) break;
    const taken = length === ahead.data.length ? ahead : await api.get<Page<Transaction>>(`${base}${pageQuery(length, next)}`);
    data.push(...taken.data.slice(0, length));
    next = taken.next_cursor;
    if (run !== -1) break;
  }
  return { data, next_cursor: next };
}
