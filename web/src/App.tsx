import { useEffect, useMemo, useState } from "react";
import { ApiError, createApi } from "./api/client.js";
import type { Account } from "./api/types.js";
import { Layout } from "./components/Layout.js";
import { NotificationsPage } from "./pages/NotificationsPage.js";
import { PaymentsPage } from "./pages/PaymentsPage.js";
import { SignIn } from "./pages/SignIn.js";
import { SubaccountPage } from "./pages/SubaccountPage.js";
import { SubaccountsPage } from "./pages/SubaccountsPage.js";
import { forgetKey, SessionContext, storedKey, storeKey, type Session } from "./session/session.js";
import { useRoute } from "./session/route.js";

export function App() {
  const [path, navigate] = useRoute();
  const [key, setKey] = useState(storedKey);
  const [me, setMe] = useState<Account>();
  const [notice, setNotice] = useState<string>();
  const [feedVersion, setFeedVersion] = useState(0);

  const signOut = (message?: string) => {
    forgetKey();
    setKey(undefined);
    setMe(undefined);
    setNotice(message);
    navigate("/");
  };

  // A key kept from earlier in this tab is checked again: it may have been revoked.
  useEffect(() => {
    if (!key || me) return;
    createApi(key)
      .get<Account>("/v1/me")
      .then(setMe)
      .catch((e) => signOut(e instanceof ApiError && e.status === 401 ? "Your key is no longer valid; sign in again." : (e as Error).message));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const api = useMemo(() => (key ? createApi(key) : undefined), [key]);
  const session = useMemo<Session | undefined>(
    () => (api && me ? { api, me, navigate, feedVersion, feedChanged: () => setFeedVersion((n) => n + 1) } : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, me, feedVersion],
  );

  if (!key || (!me && notice)) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(newKey, account) => {
          storeKey(newKey);
          setNotice(undefined);
          setMe(account);
          setKey(newKey);
          navigate(account.type === "agency" ? "/subaccounts" : "/payments");
        }}
      />
    );
  }
  if (!session) return <p className="loading" role="status">Loading…</p>;

  let page;
  const subaccount = /^\/subaccounts\/(acct_[A-Za-z0-9]+)$/.exec(path);
  if (path === "/notifications") page = <NotificationsPage />;
  else if (subaccount && session.me.type === "agency") page = <SubaccountPage id={subaccount[1]!} />;
  else if (path === "/subaccounts" && session.me.type === "agency") page = <SubaccountsPage />;
  else page = <PaymentsPage />;

  return (
    <SessionContext.Provider value={session}>
      <Layout path={path} onSignOut={() => signOut()}>
        {page}
      </Layout>
    </SessionContext.Provider>
  );
}
