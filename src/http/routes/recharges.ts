import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { manualTopUp } from "../../billing/manual-top-up.js";
import { listRecharges } from "../../billing/recharges.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
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
    const response = await idempotent(c, 201, async (tx) =>
      rechargeOut(await manualTopUp(tx, deps.config, id, amount, payment_method_id, deps.now())),
    );
    deps.nudgeWorker();
    return response;
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
    const page = await listRecharges(c.get("deps").db, account.id, limit, decodeCursor(cursor, ["createdAt", "id"] as const));
    return c.json({ data: page.recharges.map(rechargeOut), next_cursor: page.next ? encodeCursor(page.next) : null }, 200);
  },
);
