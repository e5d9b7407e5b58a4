import { useState } from "react";
import type { Api } from "../api/client.js";
import type { Page, Recharge, Transaction } from "../api/types.js";
import { pageQuery, useCursorPages } from "../api/paging.js";
import { useResource } from "../api/use-resource.js";
import { toCsv } from "../export/csv.js";
import { download } from "../export/download.js";
import { usdText } from "../money/display.js";
import { ErrorText } from "./ErrorText.js";
import { Pager } from "./Pager.js";
import { dateTimeText } from "../text/date-time.js";

const PAGE_SIZE = 10;
// An export walks every page at the API's largest page size; this bounds one click to 20 000 rows.
const EXPORT_PAGE_SIZE = 100;
const EXPORT_MAX_PAGES = 200;

type Tab = "transactions" | "recharges";


const TRANSACTION_COLUMNS = [
  { header: "id", value: (t: Transaction) => t.id },
  { header: "created_at", value: (t: Transaction) => t.created_at },
  { header: "type", value: (t: Transaction) => t.type },
  { header: "amount_usd", value: (t: Transaction) => t.amount },
  { header: "balance_after_usd", value: (t: Transaction) => t.balance_after },
  { header: "call_id", value: (t: Transaction) => t.call_id },
  { header: "recharge_id", value: (t: Transaction) => t.recharge_id },
  { header: "reason", value: (t: Transaction) => t.reason },
];
const RECHARGE_COLUMNS = [
  { header: "id", value: (r: Recharge) => r.id },
  { header: "created_at", value: (r: Recharge) => r.created_at },
  { header: "trigger", value: (r: Recharge) => r.trigger },
  { header: "amount_usd", value: (r: Recharge) => r.amount },
  { header: "status", value: (r: Recharge) => r.status },
  { header: "failure_code", value: (r: Recharge) => r.failure_code },
  { header: "failure_message", value: (r: Recharge) => r.failure_message },
];

/** Recharges and ledger transactions, newest first, paged by the API's cursors, with CSV export. */
export function History({ api, accountId, refresh }: { api: Api; accountId: string; refresh: unknown }) {
  const [tab, setTab] = useState<Tab>("transactions");
  const pages = useCursorPages();
  const { cursor } = pages;
  const [exportError, setExportError] = useState<Error>();
  const [exporting, setExporting] = useState(false);
  const [exportNote, setExportNote] = useState<string>();
  const base = `/v1/accounts/${accountId}/${tab}`;

  // The answer carries the tab it was asked for: right after a switch, the other tab's rows
  // (another shape) must not be drawn as this tab's.
  const loaded = useResource(
    async () => ({ tab, page: await api.get<Page<Transaction | Recharge>>(`${base}${pageQuery(PAGE_SIZE, cursor)}`) }),
    [base, cursor, refresh],
  );
  const page = { error: loaded.error, data: loaded.data?.tab === tab ? loaded.data.page : undefined };

  const switchTo = (next: Tab) => {
    setTab(next);
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
      const text = tab === "transactions" ? toCsv(TRANSACTION_COLUMNS, rows as Transaction[]) : toCsv(RECHARGE_COLUMNS, rows as Recharge[]);
      download(`${accountId}-${tab}.csv`, text);
      // A browser tab is no place for an unbounded export; say so rather than cut silently.
      if (next) setExportNote(`Exported the newest ${rows.length} rows; older ones are in the API (${base}).`);
    } catch (e) {
      setExportError(e as Error);
    } finally {
      setExporting(false);
    }
  }

  return (
    <section className="card history" aria-labelledby="history-title">
      <div className="section-head">
        <h2 id="history-title">History</h2>
        <button type="button" onClick={() => void exportCsv()} disabled={exporting}>
          {exporting ? "Exporting…" : "Export CSV"}
        </button>
      </div>
      <div role="tablist" aria-label="History" className="tabs">
        {(["transactions", "recharges"] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => switchTo(t)}>
            {t === "transactions" ? "Transactions" : "Recharges"}
          </button>
        ))}
      </div>
      <ErrorText error={page.error ?? exportError} />
      {exportNote && <p role="status">{exportNote}</p>}
      {/* Focusable, so a keyboard can scroll a table wider than the screen (axe: scrollable-region-focusable). */}
      <div className="table-wrap" role="tabpanel" tabIndex={0} aria-label={tab === "transactions" ? "Transactions" : "Recharges"}>
        {tab === "transactions" ? (
          <table aria-label="Transactions">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col" className="num">Balance</th>
                <th scope="col">Reference</th>
              </tr>
            </thead>
            <tbody>
              {(page.data?.data as Transaction[] | undefined)?.map((t) => (
                <tr key={t.id}>
                  <td>{dateTimeText(t.created_at)}</td>
                  <td>{t.type}</td>
                  <td className={`num ${t.amount.startsWith("-") ? "debit" : "credit"}`}>{usdText(t.amount, { signed: true })}</td>
                  <td className="num">{usdText(t.balance_after)}</td>
                  <td className="mono small">{t.call_id ?? t.recharge_id ?? t.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <table aria-label="Recharges">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Trigger</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Failure</th>
              </tr>
            </thead>
            <tbody>
              {(page.data?.data as Recharge[] | undefined)?.map((r) => (
                <tr key={r.id}>
                  <td>{dateTimeText(r.created_at)}</td>
                  <td>{r.trigger.replace("_", " ")}</td>
                  <td className="num">{usdText(r.amount)}</td>
                  <td>
                    <span className={`status status-${r.status}`}>{r.status}</span>
                  </td>
                  <td>{r.failure_message ? `${r.failure_message} (${r.failure_code})` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.data && page.data.data.length === 0 && <p className="muted">Nothing yet.</p>}
      </div>
      <Pager pages={pages} next={page.data?.next_cursor} />
    </section>
  );
}
