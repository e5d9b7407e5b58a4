import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAdmin } from "../../accounts/access.js";
import { listRefunds, requestRefund } from "../../billing/reversals/refunds.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeCreatedCursor, encodeCreatedCursor } from "../cursor.js";
import { idempotent } from "../idempotency.js";
import { RefundIn, RefundOut, refundOut } from "../schemas/billing.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, routeErrors, IdempotencyHeader, IdParam, jsonBody, jsonResponse, listOf, PageQuery, security } from "../schemas/common.js";

export const refundRoutes = new OpenAPIHono<AppEnv>();

refundRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/recharges/{recharge}/refunds",
    tags: ["recharges"],
    summary: "Operator: refund part or all of a succeeded charge; the wallet gives the amount back once",
    description:
      "Records the refund `pending`; the worker refunds it at the provider (the refund's id is the idempotency key) and then takes the amount off the balance with one `refund` entry linked to the charge. Refunds of one charge never add up to more than it (a pending one counts). A refund never starts an automatic charge; balance alerts and the pause rule still apply. Audited. Watch `GET /v1/accounts/{id}/refunds`.",
    security,
    request: {
      params: IdParam.extend({ recharge: z.string().min(1).max(100).openapi({ param: { name: "recharge", in: "path" } }) }),
      headers: IdempotencyHeader,
      body: jsonBody(RefundIn),
    },
    responses: {
      201: jsonResponse(RefundOut, "The pending refund"),
      ...routeErrors({
        400: "`invalid_request`: more than is left to refund, a charge refunded in full, or a charge that did not succeed",
        403: "`forbidden`: anyone but the operator",
        404: "`not_found`: no such account, or no such charge on it",
        409: KEY_REUSED,
      }),
    },
  }),
  async (c) => {
    requireAdmin(c.get("principal"));
    const { id, recharge } = c.req.valid("param");
    await authorizedAccount(c, id, "read");
    const { amount, reason } = c.req.valid("json");
    return idempotent(c, 201, async (tx) => {
      const refund = refundOut(await requestRefund(tx, id, recharge, amount, reason));
      await recordAudit(tx, auditSource(c), id, "refund.requested", diffChanges(null, { refund_id: refund.id, recharge_id: refund.recharge_id, amount: refund.amount, reason: refund.reason }));
      return refund;
    });
  },
);

refundRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/refunds",
    tags: ["recharges"],
    summary: "Refunds, newest first",
    description: "The account's refunds with their charge, status and the provider's refund id. Cursor-paged.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(RefundOut), "A page of refunds"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listRefunds(c.get("deps").db, account.id, limit, decodeCreatedCursor(cursor));
    return c.json({ data: page.refunds.map(refundOut), next_cursor: page.next ? encodeCreatedCursor(page.next) : null }, 200);
  },
);
