import { useState } from "react";
import type { Api } from "../api/client.js";
import { WatchList } from "../components/WatchList.js";
import { CreateAccount } from "./CreateAccount.js";
import { OperatorAccountPage } from "./OperatorAccountPage.js";
import { OperatorActivity } from "./OperatorActivity.js";
import { PricePlans } from "./PricePlans.js";

/**
 * The platform's support staff's console, signed in with an operator session: every account,
 * searchable by name, id and risk; any account opened read-only, with the operator's own
 * actions (adjust with a reason, issue a key, open a viewer link); accounts created here.
 */
export function OperatorConsole({ api, path, navigate, onSignOut }: { api: Api; path: string; navigate(path: string): void; onSignOut(): void }) {
  const [made, setMade] = useState(0);
  const account = /^\/operator\/accounts\/(acct_[A-Za-z0-9]+)$/.exec(path)?.[1];
  const activity = path === "/operator/activity";
  const plans = path === "/operator/plans";
  const go = (href: string) => (e: { preventDefault(): void }) => {
    e.preventDefault();
    navigate(href);
  };
  return (
    <div className="shell operator">
      <header className="topbar">
        <span className="brand">prepaid · Operator console</span>
      </header>
      <nav id="side-panel" className="side-panel" aria-label="Main">
        <ul>
          <li>
            <a href="/operator" aria-current={account || activity || plans ? undefined : "page"} onClick={go("/operator")}>
              Accounts
            </a>
          </li>
          <li>
            <a href="/operator/plans" aria-current={plans ? "page" : undefined} onClick={go("/operator/plans")}>
              Price plans
            </a>
          </li>
          <li>
            <a href="/operator/activity" aria-current={activity ? "page" : undefined} onClick={go("/operator/activity")}>
              Activity
            </a>
          </li>
        </ul>
        <button type="button" className="link sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </nav>
      <main className="content">
        {account ? (
          <OperatorAccountPage api={api} id={account} navigate={navigate} />
        ) : activity ? (
          <OperatorActivity api={api} navigate={navigate} />
        ) : plans ? (
          <PricePlans api={api} />
        ) : (
          <>
            <h1>Accounts</h1>
            <p className="muted">Every wallet on this platform. Open one to see it as its owner does, read-only, and act on it as the operator.</p>
            <WatchList
              api={api}
              path="/v1/accounts"
              noun={{ one: "Account", many: "Accounts" }}
              typeFilter
              refresh={made}
              open={(id) => navigate(`/operator/accounts/${id}`)}
              hrefOf={(id) => `/operator/accounts/${id}`}
            />
            <CreateAccount
              api={api}
              onCreated={(id) => {
                setMade((n) => n + 1);
                navigate(`/operator/accounts/${id}`);
              }}
            />
          </>
        )}
      </main>
    </div>
  );
}
