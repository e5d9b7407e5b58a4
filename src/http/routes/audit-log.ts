import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAdmin } from "../../accounts/access.js";
import { listAudit, type AuditEntryWithActor } from "../../audit/audit-log.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeCreatedCursor, encodeCreatedCursor } from "../cursor.js";
import { AuditEntryOut } from "../schemas/embedding.js";
import { ACCOUNT_NOT_FOUND, OPERATOR_ONLY, routeErrors, IdParam, jsonResponse, listOf, PageQuery, security } from "../schemas/common.js";

export const auditLogRoutes = new OpenAPIHono<AppEnv>();

const entryOut = (e: AuditEntryWithActor): z.infer<typeof AuditEntryOut> => ({
  id: e.id,
  account_id: e.accountId,
  account_name: e.accountName,
  action: e.action,
  actor: { ...e.actor, label: e.actorLabel },
  request_id: e.requestId,
  changes: e.changes,
  created_at: e.createdAt,
});

auditLogRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/audit-log",
    tags: ["audit"],
    summary: "Who changed what on the account, newest first (the account, its agency, the operator)",
    description:
      "Every settings change, card save or removal, key and session event, with who made it (`actor`: API key, session or operator, and its `label` in words: the key's name) , the request id and the fields' old and new values. Append-only in the database. Cursor-paged.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(AuditEntryOut), "A page of the audit log"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listAudit(c.get("deps").db, { accountId: account.id }, limit, decodeCreatedCursor(cursor));
    return c.json({ data: page.entries.map(entryOut), next_cursor: page.next ? encodeCreatedCursor(page.next) : null }, 200);
  },
);

const AuditFilterQuery = PageQuery.extend({
  account_id: z.string().min(1).max(100).optional().openapi({ description: "one account's rows only" }),
  action: z.string().min(1).max(100).optional().openapi({ description: "e.g. `auto_recharge.updated`" }),
  actor_type: z.enum(["api_key", "session", "operator"]).optional(),
  actor_id: z.string().min(1).max(100).optional().openapi({ description: "a key's (`key_…`) or a session's (`ses_…`) id" }),
});

auditLogRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/audit-log",
    tags: ["audit"],
    summary: "The audit log of every account, newest first (operator), filtered by account, action and actor",
    description: "The operator console's Activity: each row names its account (`account_id`, `account_name`). Cursor-paged.",
    security,
    request: { query: AuditFilterQuery },
    responses: { 200: jsonResponse(listOf(AuditEntryOut), "A page of the audit log"), ...routeErrors({ 403: OPERATOR_ONLY }) },
  }),
  async (c) => {
    requireAdmin(c.get("principal"));
    const { limit, cursor, account_id, action, actor_type, actor_id } = c.req.valid("query");
    const page = await listAudit(c.get("deps").db, { accountId: account_id, action, actorType: actor_type, actorId: actor_id }, limit, decodeCreatedCursor(cursor));
    return c.json({ data: page.entries.map(entryOut), next_cursor: page.next ? encodeCreatedCursor(page.next) : null }, 200);
  },
);
