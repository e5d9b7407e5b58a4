import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { requireAdmin } from "../../accounts/access.js";
import { issueGrant, listGrants } from "../../billing/grants/grants.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeCreatedCursor, encodeCreatedCursor } from "../cursor.js";
import { idempotent } from "../idempotency.js";
import { GrantIn, GrantOut, grantOut } from "../schemas/billing.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, routeErrors, IdempotencyHeader, IdParam, jsonBody, jsonResponse, listOf, PageQuery, security } from "../schemas/common.js";

export const grantRoutes = new OpenAPIHono<AppEnv>();

grantRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/grants",
    tags: ["ledger"],
    summary: "Operator: give promotional or compensation credit, optionally expiring",
    description:
      "Posts a `grant` entry and keeps the grant's remainder: usage spends granted credit before paid credit, soonest-expiring first. At `expires_at` what is left leaves as one `grant_expiry` entry, and no usage after that instant spends it. The account's `balance` includes it; `granted_balance` is the granted part. Audited.",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(GrantIn) },
    responses: {
      201: jsonResponse(GrantOut, "The grant"),
      ...routeErrors({ 400: "`invalid_request`: an amount of 0.00, or an expiry that is not in the future", 403: "`forbidden`: anyone but the operator", 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }),
    },
  }),
  async (c) => {
    requireAdmin(c.get("principal"));
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "read");
    const { amount, reason, category, expires_at } = c.req.valid("json");
    const deps = c.get("deps");
    return idempotent(c, 201, async (tx) => {
      const now = deps.now();
      const grant = grantOut(await issueGrant(tx, deps.config, id, { amountMicros: amount, reason, category, expiresAt: expires_at ? new Date(expires_at) : null }, now), now);
      await recordAudit(tx, auditSource(c), id, "grant.issued", diffChanges(null, { grant_id: grant.id, amount: grant.amount, category, expires_at: grant.expires_at, reason }));
      return grant;
    });
  },
);

grantRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/grants",
    tags: ["ledger"],
    summary: "Credit grants, newest first, with what is left of each and when it expires",
    description: "The account's grants: amount, `remaining`, `expires_at`, and `status` (`active`, `spent`, `expired`). Cursor-paged.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(GrantOut), "A page of grants"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const { db, now } = c.get("deps");
    const page = await listGrants(db, account.id, limit, decodeCreatedCursor(cursor));
    const at = now();
    return c.json({ data: page.grants.map((g) => grantOut(g, at)), next_cursor: page.next ? encodeCreatedCursor(page.next) : null }, 200);
  },
);
