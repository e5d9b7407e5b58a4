import { useState } from "react";
import type { Api } from "../api/client.js";
import type { Account, Page, PaymentMethod } from "../api/types.js";
import { useResource } from "../api/use-resource.js";
import { AccountFacts } from "../components/AccountFacts.js";
import { ErrorText } from "../components/ErrorText.js";
import { WatchList } from "../components/WatchList.js";
import { CreateAccount } from "./CreateAccount.js";
import { OperatorActions } from "./OperatorActions.js";
import { AccountPricing } from "./AccountPricing.js";

/** One account as the operator sees it: its page read-only, the operator's actions, and an agency's subaccounts. */
export function OperatorAccountPage({ api, id, navigate }: { api: Api; id: string; navigate(path: string): void }) {
  const [changed, setChanged] = useState(0);
  const account = useResource(() => api.get<Account>(`/v1/accounts/${id}`), [id, changed], 5_000);
  const methods = useResource(() => api.get<Page<PaymentMethod>>(`/v1/accounts/${id}/payment-methods`), [id]);
  const a = account.data;
  return (
    <>
      <p>
        <a
          href="/operator"
          onClick={(e) => {
            e.preventDefault();
            navigate("/operator");
          }}
        >
          ← Accounts
        </a>
        {a?.parent_id && (
          <>
            {" · "}
            <a
              href={`/operator/accounts/${a.parent_id}`}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/operator/accounts/${a.parent_id}`);
              }}
            >
              its agency
            </a>
          </>
        )}
      </p>
      <h1>{a ? a.name : "Account"}</h1>
      <ErrorText error={account.error} />
      {a && (
        <>
          <p className="muted">
            <span className="mono">{a.id}</span> · {a.type} · {a.email ?? "no email"} · read-only: the account's own settings are its owner's.
          </p>
          <OperatorActions api={api} account={a} onChanged={() => setChanged((n) => n + 1)} />
          <AccountPricing key={a.id} api={api} account={a} onChanged={() => setChanged((n) => n + 1)} />
          {a.type === "agency" && (
            <>
              <h2>Subaccounts</h2>
              <WatchList
                api={api}
                path={`/v1/accounts/${a.id}/subaccounts`}
                noun={{ one: "Subaccount", many: "Subaccounts" }}
                refresh={changed}
                open={(sub) => navigate(`/operator/accounts/${sub}`)}
                hrefOf={(sub) => `/operator/accounts/${sub}`}
              />
              <CreateAccount api={api} parentId={a.id} onCreated={(sub) => navigate(`/operator/accounts/${sub}`)} />
            </>
          )}
          <AccountFacts api={api} account={a} methods={methods.data?.data} refresh={`${a.balance}:${changed}`} />
        </>
      )}
    </>
  );
}
