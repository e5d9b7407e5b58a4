import { createContext, useContext } from "react";
import type { Api } from "../api/client.js";
import type { Me } from "../api/types.js";
import type { AppliedBranding } from "../branding/apply.js";

export interface Session {
  api: Api;
  me: Me;
  /** False for a viewer session or a read key: the page shows facts and no controls (the API refuses writes anyway). */
  canEdit: boolean;
  /** API keys can be listed and made here: signed in with a full key, not in a session. */
  canManageKeys: boolean;
  branding: AppliedBranding | undefined;
  navigate(path: string): void;
  /** Bumped when the feed's read state changes, so the side panel's unread count updates at once. */
  feedVersion: number;
  feedChanged(): void;
  /** The account's branding was saved: the page loads and applies it again. */
  brandingChanged(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("assertion: useSession outside a signed-in page");
  return session;
}

/**
 * What the page signs in with: an API key typed on the sign-in screen, or a session token from
 * a link the platform opened (docs/concepts.md). Kept for this browser tab only (sessionStorage, which
 * a framed page has too, partitioned under the platform's site): closing the tab signs out.
 */
export interface Credential {
  token: string;
  /** `operator`: the console's session, opened with the operator key (which the tab never keeps). */
  kind: "key" | "session" | "operator";
  role: "owner" | "viewer" | "operator";
  /** The platform's page to go back to when the session ends. */
  returnUrl: string | null;
  /** A session's end as the exchange answered it (a charge started near it may lengthen it: the page checks). */
  expiresAt?: string | undefined;
}

const STORAGE = "prepaid.credential";

export function storedCredential(): Credential | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE) ?? "null") as Credential | null;
    return value && typeof value.token === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
export const storeCredential = (credential: Credential) => sessionStorage.setItem(STORAGE, JSON.stringify(credential));
export const forgetCredential = () => sessionStorage.removeItem(STORAGE);
