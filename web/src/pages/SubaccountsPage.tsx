import { useState } from "react";
import type { components } from "../api/schema.js";
import { pageQuery, useCursorPages } from "../api/paging.js";
import { useResource } from "../api/use-resource.js";
import { ErrorText } from "../components/ErrorText.js";
import { Pager } from "../components/Pager.js";
import { ScrollRegion } from "../components/ScrollRegion.js";
import { usdText } from "../money/display.js";
import { useSession } from "../session/session.js";

type AccountList = components["schemas"]["AccountList"];
type Risk = AccountList["data"][number]["risks"][number];
type Sort = "created" | "name" | "balance";

/** Each risk the server flags (src/billing/account-risks.ts), as the agency reads it. */
export const RISK_WORDS: Record<Risk, string> = {
  paused: "Paused",
  payment_failing: "Payment failing",
  limit_reached: "At its Auto-Recharge limit",
  unprotected_below_threshold: "Below threshold, Auto-Recharge off",
  low_minutes: "Under 30 minutes left",
};

const SORTS: Record<Sort, string> = { balance: "Lowest balance first", name: "Name A–Z", created: "Newest first" };

/** An agency watches its subaccounts' wallets here: the ones at risk first, searchable. Nothing on it changes anything. */
export function SubaccountsPage() {
  const { api, me, navigate } = useSession();
  const pages = useCursorPages();
  const { cursor } = pages;
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const [risk, setRisk] = useState<Risk | "any" | "">("");
  const [sort, setSort] = useState<Sort>("balance");
  const filters = `${query ? `&q=${encodeURIComponent(query)}` : ""}${risk ? `&risk=${risk}` : ""}&sort=${sort}`;
  const list = useResource(() => api.get<AccountList>(`/v1/accounts/${me.id}/subaccounts${pageQuery(25, cursor)}${filters}`), [me.id, cursor, filters], 10_000);
  const change = (apply: () => void) => {
    apply();
    pages.reset();
  };
  const totals = list.data?.totals;

  return (
    <>
      <h1>Subaccounts</h1>
      <p className="muted">Read-only: each subaccount manages its own cards and Auto-Recharge. Those that may soon stop taking calls are flagged.</p>
      <ErrorText error={list.error} />
      <section className="card" aria-label="Subaccounts">
        <form
          className="row filters"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            change(() => setQuery(typed.trim()));
          }}
        >
          <div className="field">
            <label htmlFor="sub-search">Search</label>
            <input id="sub-search" type="search" value={typed} placeholder="Name or account id" onChange={(e) => setTyped(e.target.value)} onBlur={() => change(() => setQuery(typed.trim()))} />
          </div>
          <div className="field">
            <label htmlFor="sub-risk">Show</label>
            <select id="sub-risk" value={risk} onChange={(e) => change(() => setRisk(e.target.value as Risk | "any" | ""))}>
              <option value="">All subaccounts</option>
              <option value="any">At risk</option>
              {(Object.keys(RISK_WORDS) as Risk[]).map((r) => (
                <option key={r} value={r}>
                  {RISK_WORDS[r]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sub-sort">Sort</label>
            <select id="sub-sort" value={sort} onChange={(e) => change(() => setSort(e.target.value as Sort))}>
              {(Object.keys(SORTS) as Sort[]).map((s) => (
                <option key={s} value={s}>
                  {SORTS[s]}
                </option>
              ))}
            </select>
          </div>
        </form>
        {totals && (
          <p data-testid="subaccount-totals">
            {totals.count} {totals.count === 1 ? "subaccount" : "subaccounts"} · {usdText(totals.balance, { cents: true })} in total ·{" "}
            <strong className={totals.at_risk > 0 ? "debit" : undefined}>{totals.at_risk} at risk</strong>
          </p>
        )}
        <ScrollRegion label="Subaccounts table">
          <table aria-label="Subaccounts">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">Balance</th>
                <th scope="col" className="num">Minutes</th>
                <th scope="col">Risk</th>
                <th scope="col">Status</th>
                <th scope="col">Auto-Recharge</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.data.map((s) => (
                <tr key={s.id}>
                  <td>
                    <a
                      href={`/subaccounts/${s.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(`/subaccounts/${s.id}`);
                      }}
                    >
                      {s.name}
                    </a>
                  </td>
                  <td className="num">{usdText(s.balance, { cents: true })}</td>
                  <td className="num">{s.minutes_available}</td>
                  <td>
                    {s.risks.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      s.risks.map((r) => (
                        <span key={r} className="status status-failed risk">
                          {RISK_WORDS[r]}
                        </span>
                      ))
                    )}
                  </td>
                  <td>
                    <span className={`status status-${s.status}`}>{s.status}</span>
                  </td>
                  <td>
                    {s.auto_recharge.state}
                    {s.auto_recharge.enabled && (
                      <span className="muted small">
                        {" "}
                        · below {usdText(s.auto_recharge.threshold)} add {usdText(s.auto_recharge.amount)}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
        {list.data?.data.length === 0 && <p className="muted">{query || risk ? "No subaccount matches." : "No subaccounts yet."}</p>}
        <Pager pages={pages} next={list.data?.next_cursor} />
      </section>
    </>
  );
}
