import { WatchList } from "../components/WatchList.js";
import { useSession } from "../session/session.js";

/** An agency watches its subaccounts' wallets here: the ones at risk first, searchable. Nothing on it changes anything. */
export function SubaccountsPage() {
  const { api, me, navigate } = useSession();
  return (
    <>
      <h1>Subaccounts</h1>
      <p className="muted">Read-only: each subaccount manages its own cards and Auto-Recharge. Those that may soon stop taking calls are flagged.</p>
      <WatchList
        api={api}
        path={`/v1/accounts/${me.id}/subaccounts`}
        noun={{ one: "Subaccount", many: "Subaccounts" }}
        open={(id) => navigate(`/subaccounts/${id}`)}
        hrefOf={(id) => `/subaccounts/${id}`}
      />
    </>
  );
}
