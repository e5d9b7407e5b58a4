import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { AppError, invalid } from "../../errors/app-error.js";
import { countOrRefuse } from "../../rate-limits/counter.js";
import { requireAdmin } from "../../accounts/access.js";
import { log } from "../../logging/logger.js";
import { endSession, exchangeCode, findSession, openOperatorSession, openSession, SESSION_TTL_SECONDS, type AnySessionView } from "../../sessions/sessions.js";
import { auditSource } from "../audit-source.js";
import { clientAddress } from "../client-address.js";
import { commitRequest } from "../commit-request.js";
import type { AppEnv } from "../context.js";
import { idempotent } from "../idempotency.js";
import { optionalJson } from "../optional-body.js";
import { CreateOperatorSessionIn, CreateSessionIn, ExchangeIn, OperatorSessionOut, SessionLinkOut, SessionOut, SessionTokenOut } from "../schemas/embedding.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, publicErrors, routeErrors, IdempotencyHeader, IdParam, jsonBody, jsonResponse, noCredential, security } from "../schemas/common.js";
import { EXAMPLES } from "../schemas/examples.js";
import { KEYS_FORBIDDEN, keyManager } from "./api-keys.js";

export const sessionRoutes = new OpenAPIHono<AppEnv>();

/** The one route under /v1 that takes no credential: the code is the credential. */
export const SESSION_EXCHANGE_PATH = "/v1/sessions/exchange";

/** Where the link points: PREPAID_PUBLIC_URL, else the origin this request came to. */
function linkBase(c: Context<AppEnv>): string {
  const configured = c.get("deps").config.publicUrl;
  return (configured ? configured.href : new URL(c.req.url).origin).replace(/\/$/, "");
}

const sessionOut = (s: AnySessionView) => ({
  session_id: s.id,
  account_id: s.accountId,
  role: s.role,
  expires_at: s.expiresAt.toISOString(),
  return_url: s.returnUrl,
});

/** The session behind this request (a Payments page's or the operator console's); API keys have none. */
function currentSessionId(c: Context<AppEnv>): string {
  const { actor } = c.get("principal");
  const isSession = actor.type === "session" || (actor.type === "operator" && actor.id.startsWith("ses_"));
  if (!isSession) throw invalid("this request was not made with a session token");
  return actor.id;
}

sessionRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/sessions",
    tags: ["sessions"],
    summary: "Open the Payments page for one of the platform's users: a link whose one-time code works for 60 s (operator, or the account's full key)",
    description:
      "The platform's backend calls this when its signed-in user opens Payments, and frames or opens the answer's `url`. The code in the URL's fragment works once, within 60 s; the session it opens lasts `ttl_seconds`. `role` `viewer` sees the page without any write control. The code is never stored, only its HMAC (docs/embedding.md).",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: { required: false, content: { "application/json": { schema: CreateSessionIn } } } },
    responses: { 201: jsonResponse(SessionLinkOut, "The link; its code works once"), ...routeErrors({ 403: KEYS_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await keyManager(c, id);
    const body = optionalJson(c, () => c.req.valid("json"));
    const { secrets } = c.get("deps").config;
    const base = linkBase(c);
    // The answer carries the code: its stored copy for replays is sealed under the server secret.
    return idempotent(
      c,
      201,
      async (tx) => {
        const opened = await openSession(tx, secrets, {
          accountId: id,
          role: body.role ?? "owner",
          ttlSeconds: body.ttl_seconds ?? SESSION_TTL_SECONDS.default,
          returnUrl: body.return_url ?? null,
        });
        await recordAudit(tx, auditSource(c), id, "session.opened", diffChanges(null, { session_id: opened.id, role: opened.role, expires_at: opened.expiresAt.toISOString() }));
        return { id: opened.id, url: `${base}/s#code=${opened.code}`, role: opened.role, expires_at: opened.expiresAt.toISOString() };
      },
      { sealed: true },
    );
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "post",
    path: SESSION_EXCHANGE_PATH,
    tags: ["sessions"],
    summary: "Exchange a link's code for a session token (no credential: the code is one). A used, unknown or expired code is 401",
    description:
      "The Payments page calls this with the code from its URL fragment and keeps the token in the tab's session storage. Counted per client address (429) so codes cannot be guessed.",
    security: noCredential,
    request: { body: jsonBody(ExchangeIn) },
    responses: { 200: jsonResponse(SessionTokenOut, "A bearer token for the account, until expires_at"), ...publicErrors({ 401: "`unauthorized`: the code is unknown, used or expired", 429: "`rate_limited`: too many exchanges from this client address; retry after `Retry-After` seconds" }) },
  }),
  async (c) => {
    const { db, config } = c.get("deps");
    // Counted before the code is looked at, per client IP, across every process (docs/concepts.md).
    await countOrRefuse(db, config.rateLimits, "session_exchanges", clientAddress(c));
    const exchanged = await exchangeCode(db, config.secrets, c.req.valid("json").code);
    if (!exchanged) throw new AppError("unauthorized", "this link has expired or was already used; ask for a new one");
    return c.json(
      {
        token: exchanged.token,
        session_id: exchanged.id,
        account_id: exchanged.accountId,
        role: exchanged.role,
        expires_at: exchanged.expiresAt.toISOString(),
        return_url: exchanged.returnUrl,
      },
      200,
    );
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/sessions/current",
    tags: ["sessions"],
    summary: "The session this token belongs to: its account, role, expiry and return URL",
    description:
      "For the page to learn its account, role and expiry after the exchange, and where to send the user when the session ends.",
    security,
    responses: { 200: jsonResponse(SessionOut, "The session"), ...routeErrors({ 400: "`invalid_request`: the request was not made with a session token" }) },
  }),
  async (c) => {
    const session = await findSession(c.get("deps").db, currentSessionId(c));
    if (!session) throw new AppError("unauthorized", "the session is gone");
    return c.json(sessionOut(session), 200);
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/sessions/current",
    tags: ["sessions"],
    summary: "End this session: its token is refused from the next request on",
    description:
      "Signs the page out: the token is refused from the next request on. Only for session tokens (400 for an API key).",
    security,
    responses: { 200: jsonResponse(SessionOut.pick({ session_id: true }).openapi({ example: { session_id: EXAMPLES.Session.session_id } }), "Ended"), ...routeErrors({ 400: "`invalid_request`: the request was not made with a session token" }) },
  }),
  async (c) => {
    const id = currentSessionId(c);
    await commitRequest(c, (tx) => endSession(tx, id));
    return c.json({ session_id: id }, 200);
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/operator/sessions",
    tags: ["sessions"],
    summary: "Sign the operator console in: a session token that acts as the operator, with the operator key only",
    description:
      "The console sends the operator key once and keeps this token instead (in the tab's session storage): it expires (`ttl_seconds`, default 1 hour, at most 12) and `DELETE /v1/sessions/current` ends it, which a key does neither. Changes made with it are audited as the operator, by this session's id. Only the operator key itself may open one: a session cannot extend itself.",
    security,
    request: { headers: IdempotencyHeader, body: { required: false, content: { "application/json": { schema: CreateOperatorSessionIn } } } },
    responses: { 201: jsonResponse(OperatorSessionOut, "The token, shown this once"), ...routeErrors({ 403: "`forbidden`: not the operator key (an account's key, or an operator session)", 409: KEY_REUSED }) },
  }),
  async (c) => {
    const principal = c.get("principal");
    requireAdmin(principal);
    if (principal.actor.id.startsWith("ses_")) throw new AppError("forbidden", "an operator session cannot open another; sign in with the operator key");
    const body = optionalJson(c, () => c.req.valid("json"));
    const { secrets } = c.get("deps").config;
    // The answer carries the token: its stored copy for replays is sealed under the server secret.
    return idempotent(
      c,
      201,
      async (tx) => {
        const opened = await openOperatorSession(tx, secrets, body.ttl_seconds ?? SESSION_TTL_SECONDS.default);
        // No account's audit log holds it (it is no account's); the log line records who and when.
        log.info({ event: "operator_session.opened", session_id: opened.id, expires_at: opened.expiresAt.toISOString() }, "operator console signed in");
        return { session_id: opened.id, token: opened.token, expires_at: opened.expiresAt.toISOString() };
      },
      { sealed: true },
    );
  },
);
