import { createContext, useContext } from "react";
import type { Api } from "../api/client.js";
import type { Account } from "../api/types.js";

export interface Session {
  api: Api;
  me: Account;
  navigate(path: string): void;
  /** Bumped when the feed's read state changes, so the side panel's unread count updates at once. */
  feedVersion: number;
  feedChanged(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("assertion: useSession outside a signed-in page");
  return session;
}

// The key is kept for this browser tab only (sessionStorage): closing the tab signs out.
const KEY_STORAGE = "prepaid.api_key";
export const storedKey = () => sessionStorage.getItem(KEY_STORAGE) ?? undefined;
export const storeKey = (key: string) => sessionStorage.setItem(KEY_STORAGE, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_STORAGE);
