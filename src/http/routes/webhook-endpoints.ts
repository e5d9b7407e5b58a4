import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { commitRequest } from "../commit-request.js";
import { NOTIFICATION_TYPES } from "../../notifications/words.js";
import { checkEndpointUrl, createEndpoint, deleteEndpoint, listDeliveries, listEndpoints, resendDelivery, type Delivery, type WebhookEndpoint } from "../../notifications/webhook-endpoints.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeCreatedCursor, encodeCreatedCursor } from "../cursor.js";
import { idempotent } from "../idempotency.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, WRITE_FORBIDDEN, routeErrors, IdempotencyHeader, IdParam, jsonBody, jsonResponse, listOf, PageQuery, security, Deleted } from "../schemas/common.js";
import { EXAMPLES } from "../schemas/examples.js";

export const webhookEndpointRoutes = new OpenAPIHono<AppEnv>();

/** Endpoints and deliveries are read as writes: they are the account's own configuration, not monitoring. */
const ENDPOINTS_FORBIDDEN = "`forbidden`: an agency for its subaccount, or the operator key (endpoints are the account's own)";

const EndpointIn = z
  .object({
    url: z.string().max(2000),
    events: z.array(z.enum(NOTIFICATION_TYPES)).min(1).optional().openapi({ description: "event types to send; all when left out" }),
  })
  .strict()
  .openapi("WebhookEndpointIn", { example: EXAMPLES.WebhookEndpointIn });

const EndpointOut = z
  .object({ id: z.string(), url: z.string(), events: z.array(z.enum(NOTIFICATION_TYPES)).nullable(), created_at: z.string() })
  .openapi("WebhookEndpoint", { example: EXAMPLES.WebhookEndpoint });

const CreatedEndpointOut = EndpointOut.extend({
  secret: z.string().openapi({ description: "verifies the Prepaid-Signature header (docs/webhooks.md); shown only now" }),
}).openapi("CreatedWebhookEndpoint", { example: EXAMPLES.CreatedWebhookEndpoint });

const DeliveryOut = z
  .object({
    id: z.string(),
    notification_id: z.string().openapi({ description: "the event id (the webhook body's `id`)" }),
    type: z.enum(NOTIFICATION_TYPES),
    channel: z.enum(["webhook", "email"]),
    target: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("Delivery", { example: EXAMPLES.Delivery });

const endpointOut = (e: WebhookEndpoint) => ({ id: e.id, url: e.url, events: e.events, created_at: e.createdAt });
const deliveryOut = (d: Delivery): z.infer<typeof DeliveryOut> => ({
  id: d.id,
  notification_id: d.notificationId,
  type: d.type,
  channel: d.channel,
  target: d.target,
  status: d.status,
  attempts: d.attempts,
  last_status_code: d.lastStatusCode,
  last_error: d.lastError,
  next_attempt_at: d.nextAttemptAt,
  delivered_at: d.deliveredAt,
  created_at: d.createdAt,
});

/** What the audit log keeps of an endpoint: never its signing secret. */
const endpointFields = (e: WebhookEndpoint) => ({ id: e.id, url: e.url, events: e.events });

const EndpointParam = IdParam.extend({ endpoint: z.string().min(1).max(100).openapi({ param: { name: "endpoint", in: "path" } }) });

webhookEndpointRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/webhook-endpoints",
    tags: ["notifications"],
    summary: "Register an endpoint for notification events (HTTPS; HTTP only to loopback)",
    description:
      "Each notification event is POSTed to the URL, signed with the secret in this answer (`Prepaid-Signature`, docs/webhooks.md; the SDK's `constructWebhookEvent` checks it), retried with backoff until a 2xx. `events` filters the types (all when left out). At most 10 endpoints per account. The URL must resolve to a public address.",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(EndpointIn) },
    responses: { 201: jsonResponse(CreatedEndpointOut, "The endpoint, with its signing secret (shown once)"), ...routeErrors({ 400: "`invalid_request`: a URL that is not https (http only for loopback), or more than 10 endpoints", 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const body = c.req.valid("json");
    const { config, resolveHost } = c.get("deps");
    // The answer carries the signing secret: its stored copy for replays is sealed. The URL is
    // resolved and checked for a new request only; a replay answers what was stored.
    return idempotent(
      c,
      201,
      async (tx) => {
        const { endpoint, secret } = await createEndpoint(tx, config.secrets, id, body.url, body.events ?? null);
        await recordAudit(tx, auditSource(c), id, "webhook_endpoint.created", diffChanges(null, endpointFields(endpoint)));
        return { ...endpointOut(endpoint), secret };
      },
      { sealed: true, prepare: () => checkEndpointUrl(body.url, { allowPrivate: config.delivery.allowPrivate, resolve: resolveHost }) },
    );
  },
);

webhookEndpointRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/webhook-endpoints",
    tags: ["notifications"],
    summary: "The account's webhook endpoints (without secrets)",
    description:
      "The endpoints with their URL and event filter. Secrets are shown only when an endpoint is created.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(listOf(EndpointOut), "Endpoints"), ...routeErrors({ 403: ENDPOINTS_FORBIDDEN, 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "write");
    const endpoints = await listEndpoints(c.get("deps").db, account.id);
    return c.json({ data: endpoints.map(endpointOut), next_cursor: null }, 200);
  },
);

webhookEndpointRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/accounts/{id}/webhook-endpoints/{endpoint}",
    tags: ["notifications"],
    summary: "Stop sending to an endpoint",
    description:
      "No new event is sent to it; deliveries already queued are still tried (they were due when written), and the log keeps them.",
    security,
    request: { params: EndpointParam },
    responses: { 200: jsonResponse(Deleted, "Deleted"), ...routeErrors({ 403: WRITE_FORBIDDEN, 404: "`not_found`: no such account or endpoint" }) },
  }),
  async (c) => {
    const { id, endpoint } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    await commitRequest(c, async (tx) => {
      const removed = await deleteEndpoint(tx, id, endpoint);
      await recordAudit(tx, auditSource(c), id, "webhook_endpoint.deleted", diffChanges(endpointFields(removed), null));
    });
    return c.json({ id: endpoint, deleted: true as const }, 200);
  },
);

webhookEndpointRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/deliveries",
    tags: ["notifications"],
    summary: "The delivery log of webhooks and emails, newest first",
    description:
      "Each webhook and email delivery with its status (`pending`, `delivered`, `failed`), attempts, the last HTTP status or error and when it is tried next. Cursor-paged.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(DeliveryOut), "A page of deliveries"), ...routeErrors({ 403: ENDPOINTS_FORBIDDEN, 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "write");
    const { limit, cursor } = c.req.valid("query");
    const page = await listDeliveries(c.get("deps").db, account.id, limit, decodeCreatedCursor(cursor));
    return c.json(
      { data: page.deliveries.map(deliveryOut), next_cursor: page.next ? encodeCreatedCursor(page.next) : null },
      200,
    );
  },
);

const DeliveryParam = IdParam.extend({ delivery: z.string().min(1).max(100).openapi({ param: { name: "delivery", in: "path" } }) });

webhookEndpointRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/deliveries/{delivery}/resend",
    tags: ["notifications"],
    summary: "Send a failed or waiting webhook or email delivery once more, now",
    description:
      "For a delivery whose retries are used up (`failed`), after the receiver is fixed: it goes back to `pending` and is tried once more at once; failing again, it is `failed` again (one try, not a new retry schedule). A `pending` delivery waiting for its next try is tried now instead of at its backoff. The same event id is sent, so a receiver that deduplicates by id handles it once. Not while a try is in flight, and not to an endpoint removed since.",
    security,
    request: { params: DeliveryParam, headers: IdempotencyHeader },
    responses: {
      200: jsonResponse(DeliveryOut, "The delivery, pending again"),
      ...routeErrors({ 400: "`invalid_request`: a delivery already delivered, one whose try is in flight, or one to an endpoint since removed", 403: ENDPOINTS_FORBIDDEN, 404: "`not_found`: no such account or delivery", 409: KEY_REUSED }),
    },
  }),
  async (c) => {
    const { id, delivery } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    return idempotent(c, 200, async (tx) => {
      const resent = await resendDelivery(tx, id, delivery);
      await recordAudit(tx, auditSource(c), id, "delivery.resent", diffChanges(null, { delivery_id: resent.id, notification_id: resent.notificationId, target: resent.target }));
      return deliveryOut(resent);
    });
  },
);
