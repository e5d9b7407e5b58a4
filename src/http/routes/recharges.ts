import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { manualTopUp } from "../../billing/recharges/manual-top-up.js";
import { chargedCard, findRecharge, listRecharges } from "../../billing/recharges/recharges.js";
import { invalid, notFound } from "../../errors/app-error.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeCreatedCursor, encodeCreatedCursor } from "../cursor.js";
import { countOrRefuse } from "../../rate-limits/counter.js";
import { idempotent } from "../idempotency.js";
import { keepSessionForCharge } from "../session-charge.js";
import { RechargeOut, rechargeOut, TopUpIn } from "../schemas/billing.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, WRITE_FORBIDDEN, routeErrors, IdempotencyHeader, IdParam, jsonBody, jsonResponse, listOf, PageQuery, security } from "../schemas/common.js";
import { EXAMPLES } from "../schemas/examples.js";

export const rechargeRoutes = new OpenAPIHono<AppEnv>();

rechargeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/recharges",
    tags: ["recharges"],
    summary: "Manual top-up: charge the default (or given) card now; the recharge settles asynchronously",
    description:
      "Charges `amount` (within the operator's bounds) to the default or given card. The answer is the pending recharge; it settles in the background and the wallet is credited once when the provider confirms (watch `GET …/recharges` or the `recharge.succeeded` webhook). One charge at a time per account; limited per hour (429).",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(TopUpIn) },
    responses: { 201: jsonResponse(RechargeOut, "The pending recharge"), ...routeErrors({ 400: "`payment_method_required` without a valid card; `invalid_request`: an amount outside the operator's bounds, or a charge already in progress", 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED, 429: "too many top-ups on this account this hour" }) },
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
        const created = await manualTopUp(tx, deps.config, id, amount, payment_method_id, deps.now());
        const recharge = rechargeOut(created, await chargedCard(tx, created));
        await recordAudit(tx, auditSource(c), id, "recharge.requested", diffChanges(null, { recharge_id: recharge.id, amount: recharge.amount, payment_method_id: recharge.payment_method_id }));
        await keepSessionForCharge(tx, c);
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
    description:
      "Automatic, threshold-sync, manual and retry charges with their status, attempts, card and failure. Cursor-paged.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(RechargeOut), "A page of recharges"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listRecharges(c.get("deps").db, account.id, limit, decodeCreatedCursor(cursor));
    return c.json({ data: page.recharges.map((r) => rechargeOut(r.recharge, r.card, r.refundedMicros)), next_cursor: page.next ? encodeCreatedCursor(page.next) : null }, 200);
  },
);

const AuthenticationOut = z
  .object({ payment_intent_id: z.string(), client_secret: z.string(), publishable_key: z.string().nullable(), api_base: z.string() })
  .openapi("PaymentAuthentication", {
    example: EXAMPLES.PaymentAuthentication,
    description: "Confirm the PaymentIntent at Stripe from the browser (Stripe.js); its success credits the wallet through Stripe's event",
  });

rechargeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/recharges/{recharge}/authentication",
    tags: ["recharges"],
    summary: "Stripe only: let the user authenticate a recharge that failed with authentication_required",
    description:
      "For a recharge that failed with `authentication_required` (3-D Secure): answers the PaymentIntent's client secret for Stripe.js to confirm on-session. Stripe's event then settles the recharge and credits it once.",
    security,
    request: { params: IdParam.extend({ recharge: z.string().min(1).max(100).openapi({ param: { name: "recharge", in: "path" } }) }) },
    responses: { 200: jsonResponse(AuthenticationOut, "What the browser confirms at Stripe"), ...routeErrors({ 400: "`invalid_request`: a recharge that did not fail with `authentication_required`, or a gateway without the step", 403: WRITE_FORBIDDEN, 404: "`not_found`: no such account or recharge" }) },
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
