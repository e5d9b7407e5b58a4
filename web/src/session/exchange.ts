import { createApi } from "../api/client.js";
import type { components } from "../api/schema.js";
import type { Credential } from "./session.js";

type SessionToken = components["schemas"]["SessionToken"];

/**
 * The code a session link carries (`/s#code=…`), read once and dropped from the address bar
 * at once: the fragment never reached a server, and after this it is in no history entry either.
 */
export function takeLinkCode(): string | undefined {
  if (window.location.pathname !== "/s") return undefined;
  const code = new URLSearchParams(window.location.hash.slice(1)).get("code") ?? "";
  window.history.replaceState(null, "", "/");
  return code;
}

/** Trades the link's code for a session token; throws (401) when the code is used, unknown or expired. */
export async function exchangeLinkCode(code: string): Promise<Credential> {
  const answer = await createApi(undefined).send<SessionToken>("POST", "/v1/sessions/exchange", { code });
  return { token: answer.token, kind: "session", role: answer.role, returnUrl: answer.return_url, expiresAt: answer.expires_at };
}
