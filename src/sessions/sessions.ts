import { and, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { Principal } from "../accounts/principal.js";
import type { Database, Tx } from "../db/database.js";
import { sessions } from "../db/schema.js";
import { newId, randomBase62 } from "../ids/prefixed-id.js";
import type { Secrets } from "../secrets/secrets.js";

export type SessionRole = "owner" | "viewer";

/** Session tokens start with this, so the edge tells them from API keys (`ppk_`) without a lookup. */
export const SESSION_TOKEN_PREFIX = "pps_";

/** A link's code works for 60 s (docs/concepts.md): long enough to load the page, too short to be worth stealing. */
export const CODE_TTL_SECONDS = 60;
/** How long a session may last: 1 minute to 12 hours, 1 hour unless the platform asks otherwise. */
export const SESSION_TTL_SECONDS = { min: 60, max: 43_200, default: 3_600 } as const;

const codeHash = (secrets: Secrets, code: string) => secrets.mac("session-code", code);
const tokenHash = (secrets: Secrets, token: string) => secrets.mac("session-token", token);

export interface OpenedSession {
  id: string;
  /** The one-time code: it goes into the link's fragment, never into a table or a log. */
  code: string;
  role: SessionRole;
  expiresAt: Date;
}

/** A new session for `accountId`; only the code's HMAC is stored. */
export async function openSession(
  tx: Tx,
  secrets: Secrets,
  input: { accountId: string; role: SessionRole; ttlSeconds: number; returnUrl: string | null },
): Promise<OpenedSession> {
  // 43 base62 symbols ≈ 256 bits: a code cannot be guessed within its 60 s and the per-IP limit.
  const code = randomBase62(43);
  const [row] = await tx
    .insert(sessions)
    .values({
      id: newId("ses"),
      accountId: input.accountId,
      role: input.role,
      codeHmac: codeHash(secrets, code),
      codeExpiresAt: sql`now() + make_interval(secs => ${CODE_TTL_SECONDS})`,
      expiresAt: sql`now() + make_interval(secs => ${input.ttlSeconds})`,
      returnUrl: input.returnUrl,
    })
    .returning({ id: sessions.id, expiresAt: sessions.expiresAt });
  return { id: row!.id, code, role: input.role, expiresAt: row!.expiresAt };
}

export interface SessionView {
  id: string;
  accountId: string;
  role: SessionRole;
  expiresAt: Date;
  returnUrl: string | null;
}

/** Any session, the operator's (no account) included. */
export type AnySessionView = Omit<SessionView, "accountId" | "role"> & { accountId: string | null; role: SessionRole | "operator" };

const VIEW = { id: sessions.id, accountId: sessions.accountId, role: sessions.role, expiresAt: sessions.expiresAt, returnUrl: sessions.returnUrl };

/**
 * Turns a code into a token, once: one UPDATE claims the code only while it is unused and
 * unexpired, so two exchanges of one code cannot both win. A code presented again after its
 * use ends the session it opened — the code leaked (OAuth 2.0 §4.1.2 does the same with a
 * reused authorization code). Unknown, used and expired codes all give undefined: one 401.
 */
export async function exchangeCode(db: Database, secrets: Secrets, code: string): Promise<(SessionView & { token: string }) | undefined> {
  if (code.length === 0 || code.length > 200) return undefined;
  const hmac = codeHash(secrets, code);
  const token = `${SESSION_TOKEN_PREFIX}${randomBase62(43)}`;
  const [claimed] = await db
    .update(sessions)
    .set({ codeUsedAt: sql`now()`, tokenHmac: tokenHash(secrets, token) })
    .where(and(eq(sessions.codeHmac, hmac), isNull(sessions.codeUsedAt), gt(sessions.codeExpiresAt, sql`now()`), isNull(sessions.endedAt)))
    .returning(VIEW);
  if (claimed) {
    // Only an account's link has a code: an operator session was never claimable here.
    if (claimed.accountId === null || claimed.role === "operator") throw new Error(`assertion: session ${claimed.id} with a code belongs to an account`);
    return { ...claimed, accountId: claimed.accountId, role: claimed.role, token };
  }
  await db
    .update(sessions)
    .set({ endedAt: sql`now()` })
    .where(and(eq(sessions.codeHmac, hmac), isNotNull(sessions.codeUsedAt), isNull(sessions.endedAt)));
  return undefined;
}

/**
 * The principal a session token stands for, or undefined when it is unknown, ended or expired.
 * An owner may do what a full key does, a viewer what a read key does (docs/concepts.md). Looked up by
 * its HMAC on every request, so ending a session takes effect on every process at once.
 */
export async function authenticateSession(db: Database, secrets: Secrets, token: string): Promise<Principal | undefined> {
  if (token.length > 200) return undefined;
  const [row] = await db
    .select({ id: sessions.id, accountId: sessions.accountId, role: sessions.role })
    .from(sessions)
    .where(and(eq(sessions.tokenHmac, tokenHash(secrets, token)), isNull(sessions.endedAt), gt(sessions.expiresAt, sql`now()`)));
  if (!row) return undefined;
  // The console's session is the operator, named by its session in the audit log.
  if (row.role === "operator") return { kind: "admin", actor: { type: "operator", id: row.id } };
  if (row.accountId === null) throw new Error(`assertion: account session ${row.id} has an account`);
  return { kind: "account", accountId: row.accountId, scope: row.role === "owner" ? "full" : "read", actor: { type: "session", id: row.id } };
}

/**
 * Opens the operator console's session for whoever holds the operator key: the console keeps
 * this token, not the key, so a browser tab never holds a credential that does not expire and
 * cannot be ended. Only the token's HMAC is stored; there is no code (the answer carries the
 * token to the key's holder directly).
 */
export async function openOperatorSession(tx: Tx, secrets: Secrets, ttlSeconds: number): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = `${SESSION_TOKEN_PREFIX}${randomBase62(43)}`;
  const [row] = await tx
    .insert(sessions)
    .values({ id: newId("ses"), accountId: null, role: "operator", tokenHmac: tokenHash(secrets, token), expiresAt: sql`now() + make_interval(secs => ${ttlSeconds})` })
    .returning({ id: sessions.id, expiresAt: sessions.expiresAt });
  return { id: row!.id, token, expiresAt: row!.expiresAt };
}

export async function findSession(db: Database, id: string): Promise<AnySessionView | undefined> {
  const [row] = await db.select(VIEW).from(sessions).where(eq(sessions.id, id));
  return row;
}

/** Ends a session: its token is refused from the next request on, on every process. */
export async function endSession(db: Database, id: string): Promise<void> {
  await db.update(sessions).set({ endedAt: sql`coalesce(${sessions.endedAt}, now())` }).where(eq(sessions.id, id));
}

/**
 * A charge a session's user confirmed must reach its outcome on that page (issue 27, item 17):
 * a session that starts one lives at least `CHARGE_GRACE_SECONDS` more, so the page can follow
 * the charge to its end, but never past `CHARGE_GRACE_CAP_SECONDS` after the longest a session
 * may be given (12 h): a user cannot keep a session alive by charging. In the charge's own
 * transaction, so the two commit together.
 */
export async function extendSessionForCharge(tx: Tx, sessionId: string): Promise<void> {
  await tx.execute(
    sql`update sessions set expires_at = least(now() + make_interval(secs => ${CHARGE_GRACE_SECONDS}), created_at + make_interval(secs => ${43_200 + CHARGE_GRACE_CAP_SECONDS}))
        where id = ${sessionId} and ended_at is null and expires_at > now() and expires_at < now() + make_interval(secs => ${CHARGE_GRACE_SECONDS})`,
  );
}

/** A charge settles in seconds; the page watches it for 2 minutes at most (web/src/payments/recharge-outcome.ts). */
const CHARGE_GRACE_SECONDS = 150;
const CHARGE_GRACE_CAP_SECONDS = 600;
