import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { listAudit } from "../../audit/audit-log.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeCreatedCursor, encodeCreatedCursor } from "../cursor.js";
import { AuditEntryOut } from "../schemas/embedding.js";
import { ACCOUNT_NOT_FOUND, routeErrors, IdParam, jsonResponse, listOf, PageQuery, security } from "../schemas/common.js";

export const auditLogRoutes = new OpenAPIHono<AppEnv>();

auditLogRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/audit-log",
    tags: ["audit"],
    summary: "Who changed what on the account, newest first (the account, its agency, the operator)",
    description:
      "Every settings change, card save or removal, key and session event, with who made it (`actor`: API key, session or operator), the request id and the fields' old and new values. Append-only in the database. Cursor-paged.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(AuditEntryOut), "A page of the audit log"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listAudit(c.get("deps").db, account.id, limit, decodeCreatedCursor(cursor));
    return c.json(
      {
        data: page.entries.map((e) => ({ id: e.id, action: e.action, actor: e.actor, request_id: e.requestId, changes: e.changes, created_at: e.createdAt })),
        next_cursor: page.next ? encodeCreatedCursor(page.next) : null,
      },
      200,
    );
  },
);
