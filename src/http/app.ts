import { OpenAPIHono } from "@hono/zod-openapi";
import { authenticate } from "../accounts/api-keys.js";
import { newId } from "../ids/prefixed-id.js";
import type { AppDeps, AppEnv } from "./context.js";
import { describeZodError, envelope, handleError } from "./error-envelope.js";
import { findUnsafeNumber } from "./json-numbers.js";
import { Metrics } from "./metrics.js";
import { accountRoutes } from "./routes/accounts.js";
import { ledgerRoutes } from "./routes/ledger.js";
import { systemRoutes } from "./routes/system.js";
import { autoRechargeRoutes } from "./routes/auto-recharge.js";
import { callRoutes } from "./routes/calls.js";
import { notificationRoutes } from "./routes/notifications.js";
import { paymentMethodRoutes } from "./routes/payment-methods.js";
import { rechargeRoutes } from "./routes/recharges.js";
import { usageRoutes } from "./routes/usage.js";
import { pricingRoutes } from "./routes/pricing.js";
import { serveDashboard } from "./web-assets.js";
import { stripeWebhookRoutes } from "./routes/stripe-webhooks.js";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints.js";

const STRIPE_WEBHOOK_PATH = "/v1/webhooks/stripe";

/** Bodies larger than this are refused before parsing: the largest legitimate one is a 1000-event usage batch. */
const MAX_BODY_BYTES = 1_000_000;

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const metrics = new Metrics();
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return envelope(c, "invalid_request", describeZodError(result.error), 400);
    },
  });

  app.use("*", async (c, next) => {
    const started = performance.now();
    c.set("deps", deps);
    c.set("requestId", newId("req"));
    c.header("X-Request-Id", c.get("requestId"));
    await next();
    metrics.observe(c.req.method, c.req.routePath, c.res.status, (performance.now() - started) / 1000);
  });

  app.use("/v1/*", async (c, next) => {
    // Stripe cannot hold our API key: its events are authenticated by their signature instead
    // (the size limit still holds: the body is read whole to be verified).
    if (c.req.path === STRIPE_WEBHOOK_PATH && c.req.method === "POST") {
      if (Number(c.req.header("Content-Length") ?? "0") > MAX_BODY_BYTES) return envelope(c, "invalid_request", `body larger than ${MAX_BODY_BYTES} bytes`, 400);
      return next();
    }
    const bearer = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    const principal = await authenticate(deps.db, bearer, deps.config.adminKey);
    if (!principal) return envelope(c, "unauthorized", "missing, wrong or revoked API key", 401);
    c.set("principal", principal);
    if (c.req.method !== "GET" && c.req.method !== "DELETE") {
      const length = Number(c.req.header("Content-Length") ?? "0");
      if (length > MAX_BODY_BYTES) return envelope(c, "invalid_request", `body larger than ${MAX_BODY_BYTES} bytes`, 400);
      const unsafe = findUnsafeNumber(await c.req.text());
      if (unsafe !== undefined) {
        return envelope(
          c,
          "invalid_request",
          `number ${unsafe.slice(0, 40)} is not a plain decimal of at most 15 digits; send amounts as strings such as "50.00"`,
          400,
        );
      }
    }
    await next();
  });

  app.onError(handleError);
  app.notFound((c) => envelope(c, "not_found", `no route ${c.req.method} ${c.req.path}`, 404));

  app.route("/", accountRoutes);
  app.route("/", ledgerRoutes);
  app.route("/", paymentMethodRoutes);
  app.route("/", autoRechargeRoutes);
  app.route("/", rechargeRoutes);
  app.route("/", callRoutes);
  app.route("/", notificationRoutes);
  app.route("/", usageRoutes);
  app.route("/", pricingRoutes);
  app.route("/", stripeWebhookRoutes);
  app.route("/", webhookEndpointRoutes);

  app.route("/", systemRoutes(metrics));

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/openapi.json",
    tags: ["system"],
    summary: "This OpenAPI document",
    responses: { 200: { description: "OpenAPI 3.1 document" } },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "prepaid",
      version: "1.0.0",
      description: "Prepaid USD credit wallets with Auto-Recharge. Money is a decimal string in USD.",
    },
  });
  serveDashboard(app, { stripeApiOrigin: deps.config.stripe?.apiBase.origin });
  return app;
}
