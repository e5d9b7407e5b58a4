import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { manualTopUp } from "../../billing/recharges/manual-top-up.js";
import { chargedCard, chargedCardRef, findRecharge, listRecharges, refundedOf, type Recharge } from "../../billing/recharges/recharges.js";
import { lookUpConfirmed } from "../../billing/provider-events/look-up.js";
import { assert } from "../../errors/assert.js";
import type { PaymentAuthentication, PaymentGateway } from "../../payments/gateway.js";
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
      "Charges `amount` (within the operator's bounds) to the default or given card. The answer is the pending recharge; it settles in the background and the wallet is credited once when the provider confirms (watch `GET …/recharges` or the `recharge.succeeded` webhook). With Stripe and `on_session` (the default from the Payments page) the customer confirms it: the answer has `confirm_by`, and the page confirms the payment from `POST …/recharges/{recharge}/authentication` with Stripe.js (3-D Secure shows there). One charge at a time per account; limited per hour (429).",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(TopUpIn) },
    responses: { 201: jsonResponse(RechargeOut, "The pending recharge"), ...routeErrors({ 400: "`payment_method_required` without a valid card; `invalid_request`: an amount outside the operator's bounds, or a charge already in progress", 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED, 429: "too many top-ups on this account this hour" }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const { amount, payment_method_id, on_session } = c.req.valid("json");
    const deps = c.get("deps");
    // On Stripe the page's customer confirms the payment themselves, where a bank's challenge can
    // show; a platform's server (an API key) charges the saved card unless it asks otherwise.
    const onSession = deps.gateway.startOnSessionPayment !== undefined && (on_session ?? c.get("principal").actor.type === "session");
    // A replay is not a new top-up; a new one counts against the hourly limit before any charge.
    return idempotent(
      c,
      201,
      async (tx) => {
        const created = await manualTopUp(tx, deps.config, id, amount, payment_method_id, deps.now(), onSession);
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
  .object({
    payment_intent_id: z.string(),
    client_secret: z.string(),
    payment_method: z.string().nullable().openapi({ description: "Stripe's id of the card to confirm it with" }),
    publishable_key: z.string().nullable(),
    api_base: z.string(),
  })
  .openapi("PaymentAuthentication", {
    example: EXAMPLES.PaymentAuthentication,
    description: "Confirm the PaymentIntent at Stripe from the browser (Stripe.js); its success credits the wallet through Stripe's event or a look-up",
  });

const RechargeParam = IdParam.extend({ recharge: z.string().min(1).max(100).openapi({ param: { name: "recharge", in: "path" } }) });

rechargeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/recharges/{recharge}/authentication",
    tags: ["recharges"],
    summary: "Stripe only: the payment the customer confirms in the page (an on-session top-up, or a charge the bank held for authentication)",
    description:
      "For a pending top-up with `confirm_by` (Stripe's on-session top-ups), or a recharge that failed with `authentication_required` (3-D Secure): answers the PaymentIntent's client secret for Stripe.js to confirm on-session (`confirmPayment`, which shows a bank's challenge). The same recharge always answers the same PaymentIntent. Stripe's event, or `POST …/lookup`, then settles the recharge and credits it once.",
    security,
    request: { params: RechargeParam },
    responses: { 200: jsonResponse(AuthenticationOut, "What the browser confirms at Stripe"), ...routeErrors({ 400: "`invalid_request`: a recharge with nothing to confirm, or a gateway without the step", 403: WRITE_FORBIDDEN, 404: "`not_found`: no such account or recharge" }) },
  }),
  async (c) => {
    const { id, recharge: rechargeId } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const { db, gateway } = c.get("deps");
    const recharge = await findRecharge(db, rechargeId);
    if (!recharge || recharge.accountId !== id) throw notFound("recharge");
    const found = await confirmableOf(gateway, recharge, await chargedCardRef(db, recharge));
    return c.json(
      { payment_intent_id: found.paymentIntentId, client_secret: found.clientSecret, payment_method: found.paymentMethod, publishable_key: found.publishableKey, api_base: found.apiBase },
      200,
    );
  },
);

/** The payment a recharge leaves the customer to confirm, or a 400 saying why there is none. */
async function confirmableOf(gateway: PaymentGateway, recharge: Recharge, providerRef: string | null): Promise<PaymentAuthentication> {
  const awaiting = recharge.confirmBy !== null && (recharge.status === "pending" || recharge.status === "processing");
  if (awaiting && gateway.startOnSessionPayment && providerRef) {
    return gateway.startOnSessionPayment({ idempotencyKey: recharge.id, attempt: 1, amountMicros: recharge.amountMicros, providerRef, accountId: recharge.accountId });
  }
  if (recharge.status !== "failed" || recharge.failureCode !== "authentication_required") {
    throw invalid("only a top-up awaiting confirmation, or a recharge that failed with authentication_required, can be confirmed");
  }
  if (!gateway.startAuthentication) throw invalid("authentication is a Stripe step; the sandbox has none");
  const found = await gateway.startAuthentication(recharge.accountId, recharge.id);
  if (!found) throw invalid("Stripe has nothing left to confirm for this recharge");
  return found;
}

rechargeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/recharges/{recharge}/lookup",
    tags: ["recharges"],
    summary: "Stripe only: ask Stripe now what became of a payment the customer confirmed in the page",
    description:
      "After Stripe.js answered the page's confirmation: looks the recharge's PaymentIntent up at Stripe and settles it at once (credited once, however often it is asked, whether Stripe's event came first or not). A challenge the customer failed cancels the payment and fails the recharge as `authentication_failed`, nothing charged. A payment still awaiting the customer is left as it is. Answers the recharge as it is then.",
    security,
    request: { params: RechargeParam },
    responses: { 200: jsonResponse(RechargeOut, "The recharge, as it is after the look-up"), ...routeErrors({ 403: WRITE_FORBIDDEN, 404: "`not_found`: no such account or recharge" }) },
  }),
  async (c) => {
    const { id, recharge: rechargeId } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const { db, gateway, config } = c.get("deps");
    const recharge = await findRecharge(db, rechargeId);
    if (!recharge || recharge.accountId !== id) throw notFound("recharge");
    await lookUpConfirmed(db, config, gateway, recharge, await chargedCardRef(db, recharge));
    const after = await findRecharge(db, rechargeId);
    assert(after, "a recharge is never deleted");
    return c.json(rechargeOut(after, await chargedCard(db, after), await refundedOf(db, after.id)), 200);
  },
);
