import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { listNotifications, markNotificationsRead } from "../../notifications/notify.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeSeqCursor, encodeSeqCursor } from "../cursor.js";
import { idempotent } from "../idempotency.js";
import { NotificationOut, notificationOut } from "../schemas/billing.js";
import { EXAMPLES } from "../schemas/examples.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, WRITE_FORBIDDEN, routeErrors, IdempotencyHeader, IdParam, jsonBody, jsonResponse, PageQuery, security } from "../schemas/common.js";

export const notificationRoutes = new OpenAPIHono<AppEnv>();

notificationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/notifications",
    tags: ["notifications"],
    summary: "The in-app feed, newest first, with the unread count",
    description:
      "What the account was told — recharges succeeded or failed, low balance, paused and resumed, settings changed, limits reached — with a human sentence and the event's data. The same events go to webhooks and email. Cursor-paged; `unread` counts the whole feed.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: {
      200: jsonResponse(
        z
          .object({ data: z.array(NotificationOut), next_cursor: z.string().nullable(), unread: z.number() })
          .openapi({ example: { data: [EXAMPLES.Notification], next_cursor: null, unread: 1 } }),
        "A page of notifications",
      ),
      ...routeErrors({ 404: ACCOUNT_NOT_FOUND }),
    },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listNotifications(c.get("deps").db, account.id, limit, decodeSeqCursor(cursor));
    return c.json(
      {
        data: page.notifications.map(notificationOut),
        next_cursor: page.nextSeq === undefined ? null : encodeSeqCursor(page.nextSeq),
        unread: Number(page.unread),
      },
      200,
    );
  },
);

notificationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/notifications/read",
    tags: ["notifications"],
    summary: "Mark notifications read: the given ids, or all",
    description:
      "`ids` lists notifications of this account (others are ignored), or `\"all\"` marks the whole feed read.",
    security,
    request: {
      params: IdParam,
      headers: IdempotencyHeader,
      body: jsonBody(
        z
          .object({ ids: z.union([z.array(z.string().max(100)).max(1000), z.literal("all")]) })
          .strict()
          .openapi({ example: { ids: [EXAMPLES.Notification.id] } }),
      ),
    },
    responses: { 200: jsonResponse(z.object({ ok: z.literal(true) }).openapi({ example: { ok: true } }), "Marked"), ...routeErrors({ 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const { ids } = c.req.valid("json");
    return idempotent(c, 200, async (tx) => {
      await markNotificationsRead(tx, id, ids);
      return { ok: true as const };
    });
  },
);
