import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { authenticate, LastUsedTracker } from "../accounts/api-keys.js";
import { scopeAllows } from "../accounts/key-scope.js";
import { countOrRefuse } from "../rate-limits/counter.js";
import { clientAddress } from "./client-address.js";
import { newId } from "../ids/prefixed-id.js";
import type { AppDeps, AppEnv } from "./context.js";
import { describeZodError, envelope, handleError } from "./error-envelope.js";
import { findUnsafeNumber } from "./json-numbers.js";
import { log } from "../logging/logger.js";
import { httpDuration, httpRequests } from "../metrics/registry.js";
import { accountRoutes } from "./routes/accounts.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { ledgerRoutes } from "./routes/ledger.js";
import { systemRoutes } from "./routes/system.js";
import { autoRechargeRoutes } from "./routes/auto-recharge.js";
import { callRoutes } from "./routes/calls.js";
import { notificationRoutes } from "./routes/notifications.js";
import { paymentMethodRoutes } from "./routes/payment-methods.js";
import { rechargeRoutes } from "./routes/recharges.js";
import { refundRoutes } from "./routes/refunds.js";
import { grantRoutes } from "./routes/grants.js";
import { planRoutes } from "./routes/plans.js";
import { receiptRoutes } from "./routes/receipts.js";
import { usageSummaryRoutes } from "./routes/usage-summary.js";
import { pricingRoutes } from "./routes/pricing.js";
import { serveDashboard } from "./web-assets.js";
import { serveApiReference } from "./api-reference.js";
import { stripeWebhookRoutes } from "./routes/stripe-webhooks.js";
import { CONNECTOR_EVENTS_PATH, connectorRoutes } from "./routes/connectors.js";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints.js";
import { auditLogRoutes } from "./routes/audit-log.js";
import { brandingRoutes } from "./routes/branding.js";
import { alertRoutes } from "./routes/alerts.js";
import { preflightRoutes } from "./routes/preflight.js";
import { SESSION_EXCHANGE_PATH, sessionRoutes } from "./routes/sessions.js";
import { nameOperations } from "./operation-ids.js";
import { noCredential, refusedAtTheEdge } from "./schemas/common.js";
import { authenticateSession, SESSION_TOKEN_PREFIX } from "../sessions/sessions.js";
import type { Principal } from "../accounts/principal.js";

const STRIPE_WEBHOOK_PATH = "/v1/webhooks/stripe";

/** Bodies larger than this are refused: the largest legitimate one is a 1000-event usage batch. */
export const MAX_BODY_BYTES = 1_000_000;

/** A NUL anywhere in a JSON text: raw, or as the escape PostgreSQL text cannot hold. */
const NUL_IN_JSON = /\u0000|\\u0000/;

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const lastUsed = new LastUsedTracker(deps.db);
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const { message, field } = describeZodError(result.error);
        return envelope(c, "invalid_request", message, 400, field);
      }
    },
  });

  app.use("*", async (c, next) => {
    const started = performance.now();
    c.set("deps", deps);
    c.set("requestId", newId("req"));
    c.header("X-Request-Id", c.get("requestId"));
    c.header("X-Content-Type-Options", "nosniff");
    // API answers are per caller and may carry a one-time secret: never stored by a cache.
    if (c.req.path.startsWith("/v1/") || c.req.path === "/openapi.json") c.header("Cache-Control", "no-store");
    await next();
    const seconds = (performance.now() - started) / 1000;
    const labels = { method: c.req.method, route: c.req.routePath, status: String(c.res.status) };
    httpRequests.inc(labels);
    httpDuration.observe(labels, seconds);
    // One line per request: who (ids only, never a credential), what, how it ended, how long.
    const principal = c.get("principal") as Principal | undefined;
    log.info(
      {
        request_id: c.get("requestId"),
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        latency_ms: Math.round(seconds * 10_000) / 10,
        ...(principal?.kind === "account" ? { account_id: principal.accountId } : {}),
        ...(principal ? { [principal.actor.type === "session" ? "session_id" : "key_id"]: principal.actor.id } : {}),
      },
      "request",
    );
  });

  // Before any other work, on every route. A declared Content-Length is enforced by Node's
  // parser (no more bytes are read than declared), so it is compared and the body left alone;
  // a chunked body has none to trust, so its bytes are counted as they arrive (Hono's
  // bodyLimit). Either way the connection is closed rather than read to its end.
  const tooLarge = (c: Context<AppEnv>) => {
    c.header("Connection", "close");
    return envelope(c, "invalid_request", `body larger than ${MAX_BODY_BYTES} bytes`, 400);
  };
  const countedBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  app.use("*", async (c, next) => {
    const declared = c.req.header("Content-Length");
    if (declared !== undefined && c.req.header("Transfer-Encoding") === undefined) {
      return Number(declared) > MAX_BODY_BYTES ? tooLarge(c) : next();
    }
    return countedBody(c, next);
  });

  // PostgreSQL text cannot hold NUL: refused at the edge, in the path, the query and the body.
  app.use("*", async (c, next) => {
    if (c.req.path.includes("\u0000") || /%00/i.test(c.req.url)) return envelope(c, "invalid_request", "NUL characters are not allowed", 400);
    await next();
  });

  app.use("/v1/*", async (c, next) => {
    // Stripe cannot hold our API key: its events are authenticated by their signature instead;
    // a session link's code is its own credential (counted per client IP by its route).
    // A voice provider's events likewise carry the provider's signature, checked by its route.
    if (c.req.method === "POST" && (c.req.path === STRIPE_WEBHOOK_PATH || c.req.path === SESSION_EXCHANGE_PATH || CONNECTOR_EVENTS_PATH.test(c.req.path))) return next();
    const bearer = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    const principal: Principal | undefined = bearer?.startsWith(SESSION_TOKEN_PREFIX)
      ? await authenticateSession(deps.db, deps.config.secrets, bearer)
      : await authenticate(deps.db, deps.config.secrets, bearer, deps.config.adminKey);
    if (!principal) {
      // Guessing keys costs a counted failure per client IP, across every process.
      await countOrRefuse(deps.db, deps.config.rateLimits, "auth_failures", clientAddress(c));
      return envelope(c, "unauthorized", "missing, wrong, revoked or expired API key or session", 401);
    }
    // Ending one's own session is never a forbidden write, whatever the role.
    const endingSession = c.req.method === "DELETE" && c.req.path === "/v1/sessions/current";
    if (principal.kind === "account" && !endingSession && !scopeAllows(principal.scope, c.req.method, c.req.path)) {
      const who = principal.actor.type === "session" ? "viewer session" : `${principal.scope} key`;
      return envelope(c, "forbidden", `a ${who} cannot ${c.req.method} ${c.req.path}`, 403);
    }
    c.set("principal", principal);
    if (c.req.method !== "GET" && c.req.method !== "DELETE") {
      const text = await c.req.text();
      if (text === "" && c.req.header("Content-Type") !== undefined) {
        // No body at all, whatever the Content-Type says: as if none was declared, so a
        // route whose body is optional (creating a key) takes it as empty rather than malformed.
        const headers = new Headers(c.req.raw.headers);
        headers.delete("Content-Type");
        c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers });
      }
      const unsafe = findUnsafeNumber(text);
      if (unsafe !== undefined) {
        return envelope(
          c,
          "invalid_request",
          `number ${unsafe.slice(0, 40)} is not a plain decimal of at most 15 digits; send amounts as strings such as "50.00"`,
          400,
        );
      }
      if (NUL_IN_JSON.test(text)) return envelope(c, "invalid_request", "NUL characters are not allowed", 400);
    }
    await next();
    if (principal.actor.type !== "session") lastUsed.touch(principal.actor.id);
  });

  app.onError(handleError);
  app.notFound((c) => envelope(c, "not_found", `no route ${c.req.method} ${c.req.path}`, 404));

  app.route("/", accountRoutes);
  app.route("/", apiKeyRoutes);
  app.route("/", ledgerRoutes);
  app.route("/", paymentMethodRoutes);
  app.route("/", autoRechargeRoutes);
  app.route("/", rechargeRoutes);
  app.route("/", refundRoutes);
  app.route("/", grantRoutes);
  app.route("/", planRoutes);
  app.route("/", receiptRoutes);
  app.route("/", callRoutes);
  app.route("/", notificationRoutes);
  app.route("/", usageSummaryRoutes);
  app.route("/", pricingRoutes);
  app.route("/", stripeWebhookRoutes);
  app.route("/", connectorRoutes);
  app.route("/", webhookEndpointRoutes);
  app.route("/", sessionRoutes);
  app.route("/", brandingRoutes);
  app.route("/", alertRoutes);
  app.route("/", preflightRoutes);
  app.route("/", auditLogRoutes);

  app.route("/", systemRoutes);

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/openapi.json",
    tags: ["system"],
    summary: "This OpenAPI document",
    description: "OpenAPI 3.1, generated from the routes' own schemas: the SDK's types (sdk/) and the dashboard's are generated from it. No credential.",
    security: noCredential,
    responses: { 200: { description: "OpenAPI 3.1 document" }, ...refusedAtTheEdge },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/docs",
    tags: ["system"],
    summary: "This API's reference, rendered from /openapi.json (an HTML page)",
    description: "Redoc's standalone bundle, served by this service (no CDN): every route with its fields and examples. No credential.",
    security: noCredential,
    responses: { 200: { description: "HTML page" }, ...refusedAtTheEdge },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  nameOperations(app);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "prepaid",
      version: "1.0.0",
      description: [
        "Prepaid USD credit wallets with Auto-Recharge for voice-AI calling platforms. The rules behind these routes (rating, Auto-Recharge, holds, refunds and disputes, sessions) are in the repository's docs/concepts.md.",
        "",
        "**Credentials.** `Authorization: Bearer <key>`: an account's API key (`full`, `read` or `usage` scope), a Payments-page session token, or the operator key. An object of another tenant is 404, never 403.",
        "",
        "**Money** is a decimal string in USD (`\"50.00\"`), never a JSON number; amounts in requests have at most 2 decimals, balances and debits up to 6.",
        "",
        "**Idempotency.** Every POST accepts `Idempotency-Key`: the same key with the same body answers the stored response again (header `Idempotent-Replayed: true`); the same key with another body is 409 `idempotency_conflict`. Retry a POST whose answer you did not get with the same key.",
        "",
        "**Paging.** Lists answer `{data, next_cursor}`, newest first; pass `cursor=<next_cursor>` for the next page, `limit` ≤ 100.",
        "",
        "**Errors** are `{error: {code, message, request_id, field?}}` with the codes `invalid_request` and `payment_method_required` (400), `unauthorized` (401), `insufficient_credit` and `account_paused` (402), `forbidden` (403), `not_found` (404), `idempotency_conflict` (409), `rate_limited` and `concurrency_limited` (429, with `Retry-After`), `internal_error` (500). `request_id` is also the `X-Request-Id` header and is in the server's log line for the request.",
      ].join("\n"),
      license: { name: "MIT", url: "https://opensource.org/license/mit" },
    },
    servers: [
      deps.config.publicUrl
        ? { url: deps.config.publicUrl.origin, description: "This deployment (PREPAID_PUBLIC_URL)" }
        : { url: `http://127.0.0.1:${deps.config.port}`, description: "The embedded default (npm start); PREPAID_PUBLIC_URL names a deployment's" },
    ],
  });
  serveApiReference(app);
  serveDashboard(app, { payments: deps.config.stripe ? "stripe" : "sandbox", embedOrigins: deps.config.embedOrigins });
  return app;
}
