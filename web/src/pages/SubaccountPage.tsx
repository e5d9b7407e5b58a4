import type { Account, Page, PaymentMethod } from "../api/types.js";
import { useResource } from "../api/use-resource.js";
import { AccountFacts } from "../components/AccountFacts.js";
import { ErrorText } from "../components/ErrorText.js";
import { useSession } from "../session/session.js";

/** One subaccount as its agency sees it: the same facts as its Payments page, and no controls. */
export function SubaccountPage({ id }: { id: string }) {
  const { api, navigate } = useSession();
  const account = useResource(() => api.get<Account>(`/v1/accounts/${id}`), [id], 5_000);
  const methods = useResource(() => api.get<Page<PaymentMethod>>(`/v1/accounts/${id}/payment-methods`), [id]);
  const a = account.data;

  return (
    <>
      <p>
        <a
          href="/subaccounts"
          onClick={(e) => {
            e.preventDefault();
            navigate("/subaccounts");
          }}
        >
          ← Subaccounts
        </a>
      </p>
      <h1>{a ? a.name : "Subaccount"}</h1>
      <ErrorText error={account.error} />
      {a && (
        <>
          <p className="muted">Read-only view. Only the subaccount can change its cards and settings.</p>
          <AccountFacts api={api} account={a} methods={methods.data?.data} refresh={a.balance} />
        </>
      )}
    </>
  );
}
