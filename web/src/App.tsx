import { useEffect, useMemo, useRef, useState } from "react";
import { ApiError, createApi } from "./api/client.js";
import type { Me } from "./api/types.js";
import { useBranding } from "./branding/apply.js";
import { Layout } from "./components/Layout.js";
import { NotificationsPage } from "./pages/NotificationsPage.js";
import { PaymentsPage } from "./pages/PaymentsPage.js";
import { SessionEnded } from "./pages/SessionEnded.js";
import { SettingsPage } from "./pages/SettingsPage.js";
import { OperatorConsole } from "./operator/OperatorConsole.js";
import { SignIn } from "./pages/SignIn.js";
import { SubaccountPage } from "./pages/SubaccountPage.js";
import { SubaccountsPage } from "./pages/SubaccountsPage.js";
import { RebillingPage } from "./pages/RebillingPage.js";
import { forgetCredential, SessionContext, storeCredential, storedCredential, type Credential, type Session } from "./session/session.js";
import { useRoute } from "./session/route.js";
import { emitEvent } from "./embed/parent.js";

type Ended = { reason: "invalid" | "expired" | "ended"; returnUrl: string | null };

/** After a session's expiry, how often the page asks whether it is over (a charge's grace may have lengthened it). */
const SESSION_RECHECK_MS = 5_000;

/**
 * `linkExchange`: the exchange of a session link's code, started once at load (main.tsx) when
 * the page was opened at /s#code=…; the page shows "Loading…" until it settles.
 */
export function App({ linkExchange }: { linkExchange?: Promise<Credential> | undefined }) {
  const [path, navigate] = useRoute();
  const [credential, setCredential] = useState(() => (linkExchange ? undefined : storedCredential()));
  const [exchanging, setExchanging] = useState(Boolean(linkExchange));
  const [ended, setEnded] = useState<Ended>();
  const [me, setMe] = useState<Me>();
  const [notice, setNotice] = useState<string>();
  const [feedVersion, setFeedVersion] = useState(0);
  /** A session's first load failed for another reason than its credential (network, server): it may be tried again. */
  const [loadError, setLoadError] = useState<string>();
  const [loadAttempt, setLoadAttempt] = useState(0);
  /** The session whose end the platform was told of: it hears it once. */
  const toldEnded = useRef<string | undefined>(undefined);

  const signOut = (message?: string) => {
    forgetCredential();
    setCredential(undefined);
    setMe(undefined);
    setNotice(message);
    navigate("/");
  };

  /** The credential stopped working: a session's user goes back to the platform, a key's to sign-in. */
  const lost = (current: Credential) => {
    forgetCredential();
    setCredential(undefined);
    setMe(undefined);
    if (current.kind === "session") {
      setEnded({ reason: "expired", returnUrl: current.returnUrl });
      // Once per session, however many requests heard its 401.
      if (toldEnded.current !== current.token) emitEvent("session.expired", { return_url: current.returnUrl });
      toldEnded.current = current.token;
    }
    else if (current.kind === "operator") setNotice("Your operator session ended; sign in again.");
    else setNotice("Your key is no longer valid; sign in again.");
  };

  useEffect(() => {
    if (!linkExchange) return;
    linkExchange
      .then((fresh) => {
        storeCredential(fresh);
        setCredential(fresh);
      })
      .catch(() => {
        forgetCredential();
        setEnded({ reason: "invalid", returnUrl: null });
      })
      .finally(() => setExchanging(false));
  }, [linkExchange]);

  const api = useMemo(() => (credential ? createApi(credential.token, () => lost(credential)) : undefined), [credential]); // eslint-disable-line react-hooks/exhaustive-deps

  // A session ends at its expiry even on a page nobody touches: the platform hears it then
  // (`session.expired`), not at the user's next click. A charge confirmed near the end keeps the
  // session open a little longer (the server's grace), so the check repeats until it answers 401.
  useEffect(() => {
    if (!api || credential?.kind !== "session" || !credential.expiresAt) return;
    let timer: ReturnType<typeof setTimeout>;
    const check = () => {
      api.get("/v1/me").then(
        () => (timer = setTimeout(check, SESSION_RECHECK_MS)),
        () => undefined, // a 401 reaches `lost`; anything else is looked at by the next request
      );
    };
    timer = setTimeout(check, Math.max(0, Date.parse(credential.expiresAt) - Date.now()) + 250);
    return () => clearTimeout(timer);
  }, [api, credential]);

  // A credential kept from earlier in this tab is checked again: it may have been revoked or ended.
  useEffect(() => {
    // The operator console has no account: it loads its own pages.
    if (!api || me || credential?.kind === "operator") return;
    api
      .get<Me>("/v1/me")
      .then((account) => {
        setMe(account);
        if (window.location.pathname === "/") navigate(account.type === "agency" ? "/subaccounts" : "/payments");
      })
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) return; // `lost` has it
        if (credential?.kind === "session") setLoadError((e as Error).message);
        else setNotice((e as Error).message);
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, loadAttempt]);

  const [brandingVersion, setBrandingVersion] = useState(0);
  const branding = useBranding(api, me, brandingVersion);
  const session = useMemo<Session | undefined>(
    () =>
      api && me && credential
        ? {
            api,
            me,
            // What the credential may do, as the server says: a read key signed in by hand edits nothing either.
            canEdit: me.credential.scope === "full",
            // Keys and session links are the platform backend's (docs/concepts.md): a full key, never a session.
            canManageKeys: me.credential.type === "api_key" && me.credential.scope === "full",
            branding,
            navigate,
            feedVersion,
            feedChanged: () => setFeedVersion((n) => n + 1),
            brandingChanged: () => setBrandingVersion((n) => n + 1),
          }
        : undefined,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, me, credential, branding, feedVersion],
  );

  if (exchanging) return <p className="loading" role="status">Opening Payments…</p>;
  if (ended) return <SessionEnded reason={ended.reason} returnUrl={ended.returnUrl} />;
  if (loadError && !me) {
    return (
      <main className="sign-in">
        <section className="card">
          <p role="alert">Payments could not load: {loadError}</p>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setLoadError(undefined);
              setLoadAttempt((n) => n + 1);
            }}
          >
            Try again
          </button>
        </section>
      </main>
    );
  }
  if (!credential || (!me && notice)) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(signedIn, account) => {
          storeCredential(signedIn);
          setNotice(undefined);
          setMe(account);
          setCredential(signedIn);
          navigate(!account ? "/operator" : account.type === "agency" ? "/subaccounts" : "/payments");
        }}
      />
    );
  }
  if (credential.kind === "operator" && api) {
    const leaveConsole = async () => {
      await api.send("DELETE", "/v1/sessions/current").catch(() => undefined);
      signOut("Signed out of the operator console.");
    };
    return <OperatorConsole api={api} path={path} navigate={navigate} onSignOut={() => void leaveConsole()} />;
  }
  if (!session) return <p className="loading" role="status">Loading…</p>;

  let page;
  const subaccount = /^\/subaccounts\/(acct_[A-Za-z0-9]+)$/.exec(path);
  if (path === "/notifications") page = <NotificationsPage />;
  else if (path === "/settings") page = <SettingsPage />;
  else if (subaccount && session.me.type === "agency") page = <SubaccountPage id={subaccount[1]!} />;
  else if (path === "/subaccounts" && session.me.type === "agency") page = <SubaccountsPage />;
  else if (path === "/rebilling" && session.me.type === "agency") page = <RebillingPage />;
  else page = <PaymentsPage />;

  const leave = async () => {
    if (credential.kind === "key") return signOut();
    // Ending the session on the server makes the token useless wherever it was copied to.
    await session.api.send("DELETE", "/v1/sessions/current").catch(() => undefined);
    toldEnded.current = credential.token;
    emitEvent("session.ended", { return_url: credential.returnUrl });
    forgetCredential();
    setCredential(undefined);
    setMe(undefined);
    setEnded({ reason: "ended", returnUrl: credential.returnUrl });
  };

  return (
    <SessionContext.Provider value={session}>
      <Layout path={path} onSignOut={() => void leave()}>
        {page}
      </Layout>
    </SessionContext.Provider>
  );
}
