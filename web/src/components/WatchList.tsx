import { useEffect, useState } from "react";
import type { Api } from "../api/client.js";
import type { components } from "../api/schema.js";
import { pageQuery, useCursorPages } from "../api/paging.js";
import { useResource } from "../api/use-resource.js";
import { usdText } from "../money/display.js";
import { ErrorText } from "./ErrorText.js";
import { Pager } from "./Pager.js";
import { ScrollRegion } from "./ScrollRegion.js";
import { runwayText } from "../text/runway.js";

type AccountList = components["schemas"]["AccountList"];
type Risk = AccountList["data"][number]["risks"][number];
type Sort = "created" | "name" | "balance";
type AccountType = "user" | "agency" | "subaccount";

/** Each risk the server flags (src/billing/status/account-risks.ts), as a person reads it. */
export const RISK_WORDS: Record<Risk, string> = {
  paused: "Paused",
  payment_failing: "Payment failing",
  limit_reached: "At its Auto-Recharge limit",
  unprotected_below_threshold: "Below threshold, Auto-Recharge off",
  low_minutes: "Under 30 minutes left",
};

const SORTS: Record<Sort, string> = { balance: "Lowest balance first", name: "Name A–Z", created: "Newest first" };

/** How long after the last key the search runs. */
const SEARCH_DELAY_MS = 300;

/**
 * A searchable list of wallets with their risks and totals: an agency's subaccounts and the
 * operator's accounts are the same list (GET …/subaccounts and GET /v1/accounts), over
 * different rows. Reads only; `open` follows a row's link.
 */
export function WatchList(props: {
  api: Api;
  /** The list's path, without a query. */
  path: string;
  noun: { one: string; many: string };
  /** The operator also filters by account type. */
  typeFilter?: boolean;
  /** Bumped by the page when it made an account, so the list shows it. */
  refresh?: number;
  open(id: string): void;
  hrefOf(id: string): string;
}) {
  const pages = useCursorPages();
  const { cursor } = pages;
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const [risk, setRisk] = useState<Risk | "any" | "">("");
  const [type, setType] = useState<AccountType | "">("");
  const [sort, setSort] = useState<Sort>("balance");
  const filters = `${query ? `&q=${encodeURIComponent(query)}` : ""}${risk ? `&risk=${risk}` : ""}${type ? `&type=${type}` : ""}&sort=${sort}`;
  const list = useResource(() => props.api.get<AccountList>(`${props.path}${pageQuery(25, cursor)}${filters}`), [props.path, cursor, filters, props.refresh], 10_000);
  const change = (apply: () => void) => {
    apply();
    pages.reset();
  };
  const totals = list.data?.totals;
  // Search as you type: the list follows a moment after the last key (not on every key, and
  // not only on Enter, which nothing on screen told a person to press).
  useEffect(() => {
    const next = typed.trim();
    if (next === query) return;
    const timer = setTimeout(() => change(() => setQuery(next)), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typed]);

  return (
    <section className="card" aria-label={props.noun.many}>
      <form
        className="row filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          change(() => setQuery(typed.trim()));
        }}
      >
        <div className="field">
          <label htmlFor="watch-search">Search</label>
          <input
            id="watch-search"
            type="search"
            value={typed}
            placeholder="Name or account id"
            aria-describedby="watch-search-hint"
            onChange={(e) => setTyped(e.target.value)}
          />
          <p id="watch-search-hint" className="muted small">
            Results follow as you type; an id matches from its start.
          </p>
        </div>
        <div className="field">
          <label htmlFor="watch-risk">Show</label>
          <select id="watch-risk" value={risk} onChange={(e) => change(() => setRisk(e.target.value as Risk | "any" | ""))}>
            <option value="">All {props.noun.many.toLowerCase()}</option>
            <option value="any">At risk</option>
            {(Object.keys(RISK_WORDS) as Risk[]).map((r) => (
              <option key={r} value={r}>
                {RISK_WORDS[r]}
              </option>
            ))}
          </select>
        </div>
        {props.typeFilter && (
          <div className="field">
            <label htmlFor="watch-type">Type</label>
            <select id="watch-type" value={type} onChange={(e) => change(() => setType(e.target.value as AccountType | ""))}>
              <option value="">Every type</option>
              <option value="user">Users</option>
              <option value="agency">Agencies</option>
              <option value="subaccount">Subaccounts</option>
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="watch-sort">Sort</label>
          <select id="watch-sort" value={sort} onChange={(e) => change(() => setSort(e.target.value as Sort))}>
            {(Object.keys(SORTS) as Sort[]).map((s) => (
              <option key={s} value={s}>
                {SORTS[s]}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorText error={list.error} />
      {totals && (
        <p data-testid="watch-totals">
          {totals.count} {totals.count === 1 ? props.noun.one.toLowerCase() : props.noun.many.toLowerCase()} · {usdText(totals.balance, { cents: true })} in total ·{" "}
          <strong className={totals.at_risk > 0 ? "debit" : undefined}>{totals.at_risk} at risk</strong>
        </p>
      )}
      <ScrollRegion label={`${props.noun.many} table`}>
        <table aria-label={props.noun.many}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              {props.typeFilter && <th scope="col">Type</th>}
              <th scope="col" className="num">Balance</th>
              <th scope="col" className="num">Minutes</th>
              <th scope="col">Runway</th>
              <th scope="col">Risk</th>
              <th scope="col">Status</th>
              <th scope="col">Auto-Recharge</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.data.map((a) => (
              <tr key={a.id}>
                <td>
                  <a
                    href={props.hrefOf(a.id)}
                    onClick={(e) => {
                      e.preventDefault();
                      props.open(a.id);
                    }}
                  >
                    {a.name}
                  </a>
                </td>
                {props.typeFilter && <td>{a.type}</td>}
                <td className="num">{usdText(a.balance, { cents: true })}</td>
                <td className="num">{a.minutes_available}</td>
                <td>{a.runway_hours === null ? <span className="muted">—</span> : runwayText(a.runway_hours)}</td>
                <td className="risks">
                  {a.risks.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    a.risks.map((r) => (
                      <span key={r} className="status status-failed risk">
                        {RISK_WORDS[r]}
                      </span>
                    ))
                  )}
                </td>
                <td>
                  <span className={`status status-${a.status}`}>{a.status}</span>
                </td>
                <td>
                  {a.auto_recharge.state}
                  {a.auto_recharge.enabled && (
                    <span className="muted small">
                      {" "}
                      · below {usdText(a.auto_recharge.threshold)} add {usdText(a.auto_recharge.amount)}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      {list.data?.data.length === 0 && <p className="muted">{query || risk || type ? `No ${props.noun.one.toLowerCase()} matches.` : `No ${props.noun.many.toLowerCase()} yet.`}</p>}
      <Pager pages={pages} next={list.data?.next_cursor} />
    </section>
  );
}
