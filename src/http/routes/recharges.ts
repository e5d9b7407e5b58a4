import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { manualTopUp } from "../../billing/manual-top-up.js";
import { findRecharge, listRecharges } from "../../billing/recharges.js";
import { invalid, notFound } from "../../errors/app-error.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeCreatedCursor, encodeCreatedCursor } from "../cursor.js";
import { countOrRefuse } from "../../rate-limits/counter.js";
import { idempotent } from "../idempotency.js";
import { RechargeOut, rechargeOut, TopUpIn } from "../schemas/billing.js";
import { errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonResponse, listOf, PageQuery, security } from "../schemas/common.js";

export const rechargeRoutes = new OpenAPIHono<AppEnv>();

rechargeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/recharges",
    tags: ["recharges"],
    summary: "Manual top-up: charge the default (or given) card now; the recharge settles asynchronously",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(TopUpIn) },
    responses: { 201: jsonResponse(RechargeOut, "The pending recharge"), ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const { amount, payment_method_id } = c.req.valid("json");
    const deps = c.get("deps");
    // A replay is not a new top-up; a new one counts against the hourly limit before any charge.
    return idempotent(
      c,
      201,
      async (tx) => {
        const recharge = rechargeOut(await manualTopUp(tx, deps.config, id, amount, payment_method_id, deps.now()));
        await recordAudit(tx, auditSource(c), id, "recharge.requested", diffChanges(null, { recharge_id: recharge.id, amount: recharge.amount, payment_method_id: recharge.payment_method_id }));
        return recharge;
      },
      { prepare: () => countOrRefuse(deps.db, deps.config.rateLimits, "top_ups", id) },
    );
  },
);

rechargeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/recharges",
    tags: ["recharges"],
    summary: "Recharges, newest first",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(RechargeOut), "A page of recharges"), ...errorResponses },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listRecharges(c.get("deps").db, account.id, limit, decodeCreatedCursor(cursor));
    return c.json({ data: page.recharges.map(rechargeOut), next_cursor: page.next ? encodeCreatedCursor(page.next) : null }, 200);
  },
);

const AuthenticationOut = z
  .object({ payment_intent_id: z.string(), client_secret: z.string(), publishable_key: z.string().nullable(), api_base: z.string() })
  .openapi("PaymentAuthentication", {
    description: "Confirm the PaymentIntent at Stripe from the browser (Stripe.js); its success credits the wallet through Stripe's event",
  });

rechargeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/recharges/{recharge}/authentication",
    tags: ["recharges"],
    summary: "Stripe only: let the user authenticate a recharge that failed with authentication_required",
    security,
    request: { params: IdParam.extend({ recharge: z.string().min(1).max(100).openapi({ param: { name: "recharge", in: "path" } }) }) },
    responses: { 200: jsonResponse(AuthenticationOut, "What the browser confirms at Stripe"), ...errorResponses },
  }),
  async (c) => {
    const { id, recharge: rechargeId } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const { db, gateway } = c.get("deps");
    const recharge = await findRecharge(db, rechargeId);
    if (!recharge || recharge.accountId !== id) throw notFound("recharge");
    if (recharge.status !== "failed" || recharge.failureCode !== "authentication_required") {
      throw invalid("only a recharge that failed with authentication_required can be authenticated");
    }
    if (!gateway.startAuthentication) throw invalid("authentication is a Stripe step; the sandbox has none");
    const found = await gateway.startAuthentication(id, rechargeId);
    if (!found) throw invalid("Stripe has nothing left to confirm for this recharge");
    return c.json(
      { payment_intent_id: found.paymentIntentId, client_secret: found.clientSecret, publishable_key: found.publishableKey, api_base: found.apiBase },
      200,
    );
  },
);
