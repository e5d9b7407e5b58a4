import type { Grant } from "../api/types.js";

/** How far ahead an expiry is announced: three days, time to use the credit or ask about it. */
export const EXPIRY_NOTICE_MS = 3 * 24 * 3600 * 1000;

/** Grants with credit left whose expiry falls within the notice window, soonest first. Pure. */
export function expiringSoon(grants: readonly Grant[], now: Date): Grant[] {
  return grants
    .filter((g) => g.status === "active" && g.expires_at !== null && new Date(g.expires_at).getTime() - now.getTime() <= EXPIRY_NOTICE_MS)
    .sort((a, b) => a.expires_at!.localeCompare(b.expires_at!));
}
