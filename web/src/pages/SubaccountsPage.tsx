import type { Account, Page } from "../api/types.js";
import { pageQuery, useCursorPages } from "../api/paging.js";
import { useResource } from "../api/use-resource.js";
import { ErrorText } from "../components/ErrorText.js";
import { Pager } from "../components/Pager.js";
import { usdText } from "../money/display.js";
import { useSession } from "../session/session.js";

/** An agency watches its subaccounts' wallets here. Monitoring only: nothing on it changes anything. */
export function SubaccountsPage() {
  const { api, me, navigate } = useSession();
  const pages = useCursorPages();
  const { cursor } = pages;
  const list = useResource(
    () => api.get<Page<Account>>(`/v1/accounts/${me.id}/subaccounts${pageQuery(25, cursor)}`),
    [me.id, cursor],
    10_000,
  );

  return (
    <>
      <h1>Subaccounts</h1>
      <p className="muted">Read-only: each subaccount manages its own cards and Auto-Recharge.</p>
      <ErrorText error={list.error} />
      <section className="card">
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Subaccounts table">
          <table aria-label="Subaccounts">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">Balance</th>
                <th scope="col" className="num">Minutes</th>
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
        </div>
        {list.data?.data.length === 0 && <p className="muted">No subaccounts yet.</p>}
        <Pager pages={pages} next={list.data?.next_cursor} />
      </section>
    </>
  );
}
