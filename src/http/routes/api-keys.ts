import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { commitRequest } from "../commit-request.js";
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey, type ApiKeyRecord } from "../../accounts/api-keys.js";
import { AppError } from "../../errors/app-error.js";
import type { Context } from "hono";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { idempotent } from "../idempotency.js";
import { optionalJson } from "../optional-body.js";
import { ApiKeyOut, ApiKeyRecordOut, CreateApiKeyIn, RotateApiKeyIn } from "../schemas/accounts.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, routeErrors, IdempotencyHeader, IdParam, jsonResponse, security, dataOf } from "../schemas/common.js";
import { EXAMPLES } from "../schemas/examples.js";

export const apiKeyRoutes = new OpenAPIHono<AppEnv>();

const KeyParams = IdParam.extend({
  key_id: z.string().min(1).max(100).openapi({ param: { name: "key_id", in: "path" }, example: "key_3kX9pQ2mZ7rT1vB8nW4y" }),
});

const RotatedKeyOut = ApiKeyOut.extend({ previous: ApiKeyRecordOut }).openapi({
  example: { ...EXAMPLES.ApiKey, id: "key_8iO1pA3sD5fG7hJ9kL2z", previous: { ...EXAMPLES.ApiKeyRecord, expires_at: "2026-11-24T21:13:32.405Z" } },
});

/** 403 of the routes keyManager guards. */
export const KEYS_FORBIDDEN =
  "`forbidden`: an agency for its subaccount, a session, or a read-only or usage key (keys and links are the platform backend's, with a full key or the operator key)";

/**
 * Keys — and session links, which stand in for a key — are managed by the operator or by the
 * account itself with a full API key (docs/concepts.md). Not from a Payments-page session: a person in
 * the platform's page could otherwise mint themselves a credential that outlives the session.
 */
export async function keyManager(c: Context<AppEnv>, accountId: string): Promise<void> {
  const principal = c.get("principal");
  const account = await authorizedAccount(c, accountId, "read");
  if (principal.kind === "admin") return;
  if (principal.accountId !== account.id) throw new AppError("forbidden", "an agency cannot manage its subaccounts' keys or sessions");
  if (principal.actor.type === "session") throw new AppError("forbidden", "keys and session links are managed by the platform's backend, not from a session");
  if (principal.scope !== "full") throw new AppError("forbidden", "keys and session links are managed with a full key");
}


/** What the audit log keeps of a key: never the key or its hash. */
const keyFields = (r: ApiKeyRecord) => ({ id: r.id, name: r.name, scope: r.scope, prefix: r.prefix, expires_at: r.expiresAt });

const recordOut = (r: ApiKeyRecord): z.infer<typeof ApiKeyRecordOut> => ({
  id: r.id,
  account_id: r.accountId!,
  name: r.name,
  scope: r.scope,
  prefix: r.prefix,
  created_at: r.createdAt,
  last_used_at: r.lastUsedAt,
  expires_at: r.expiresAt,
  revoked_at: r.revokedAt,
});

apiKeyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/api-keys",
    tags: ["api keys"],
    summary: "Create an API key (operator, or the account's own full key); the key is shown once",
    description:
      "`scope` is `full` (everything the account may do), `read` (GETs only) or `usage` (GETs, starting calls and reporting usage: for call infrastructure). The key is in this answer only; the server keeps an HMAC of it and its first 12 characters. An optional `expires_at` ends it.",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: { required: false, content: { "application/json": { schema: CreateApiKeyIn } } } },
    responses: { 201: jsonResponse(ApiKeyOut, "The key, shown this once"), ...routeErrors({ 403: KEYS_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await keyManager(c, id);
    const body = optionalJson(c, () => c.req.valid("json"));
    const { secrets } = c.get("deps").config;
    // The answer carries the key: its stored copy for replays is sealed under the server secret.
    return idempotent(
      c,
      201,
      async (tx) => {
        const created = await createApiKey(tx, secrets, { role: "account", accountId: id }, {
          name: body.name,
          scope: body.scope,
          expiresAt: body.expires_at ? new Date(body.expires_at) : undefined,
        });
        await recordAudit(tx, auditSource(c), id, "api_key.created", diffChanges(null, keyFields(created.record)));
        return { ...recordOut(created.record), key: created.key };
      },
      { sealed: true },
    );
  },
);

apiKeyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/api-keys",
    tags: ["api keys"],
    summary: "An account's API keys, newest first: never the key or its hash",
    description:
      "Name, scope, prefix, creation, last use (to the minute), expiry and revocation of each key. The key itself is never shown again.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(dataOf(ApiKeyRecordOut), "The keys"), ...routeErrors({ 403: KEYS_FORBIDDEN, 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await keyManager(c, id);
    return c.json({ data: (await listApiKeys(c.get("deps").db, id)).map(recordOut) }, 200);
  },
);

apiKeyRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/accounts/{id}/api-keys/{key_id}",
    tags: ["api keys"],
    summary: "Revoke a key: every process refuses it from its next request",
    description:
      "Revocation takes effect on the next request in every process (keys are checked against the database, not cached). Revoking an already revoked key answers it as it is.",
    security,
    request: { params: KeyParams },
    responses: { 200: jsonResponse(ApiKeyRecordOut, "The revoked key"), ...routeErrors({ 403: KEYS_FORBIDDEN, 404: "`not_found`: no such account or key" }) },
  }),
  async (c) => {
    const { id, key_id } = c.req.valid("param");
    await keyManager(c, id);
    const record = await commitRequest(c, async (tx) => {
      const { record: revoked, changed } = await revokeApiKey(tx, id, key_id);
      // A change that changes nothing writes no audit row.
      if (changed) await recordAudit(tx, auditSource(c), id, "api_key.revoked", { id: [revoked.id, revoked.id], name: [revoked.name, revoked.name], prefix: [revoked.prefix, revoked.prefix], revoked_at: [null, revoked.revokedAt] });
      return revoked;
    });
    return c.json(recordOut(record), 200);
  },
);

apiKeyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/api-keys/{key_id}/rotate",
    tags: ["api keys"],
    summary: "A new key with the same name and scope; the old one works until the grace period ends (default 1 h)",
    description:
      "Rotation without downtime: the answer carries the new key (shown once) and the old key's record with its new `expires_at`; deploy the new key within `grace_seconds` (default 3600, 0 ends the old one now).",
    security,
    request: { params: KeyParams, headers: IdempotencyHeader, body: { required: false, content: { "application/json": { schema: RotateApiKeyIn } } } },
    responses: { 201: jsonResponse(RotatedKeyOut, "The new key, shown this once"), ...routeErrors({ 403: KEYS_FORBIDDEN, 404: "`not_found`: no such account or key", 409: KEY_REUSED }) },
  }),
  async (c) => {
    const { id, key_id } = c.req.valid("param");
    await keyManager(c, id);
    const body = optionalJson(c, () => c.req.valid("json"));
    const { secrets } = c.get("deps").config;
    return idempotent(
      c,
      201,
      async (tx) => {
        const rotated = await rotateApiKey(tx, secrets, id, key_id, body.grace_seconds ?? 3_600);
        await recordAudit(tx, auditSource(c), id, "api_key.rotated", {
          id: [rotated.previous.id, rotated.record.id],
          prefix: [rotated.previous.prefix, rotated.record.prefix],
          old_key_expires_at: [null, rotated.previous.expiresAt],
        });
        return { ...recordOut(rotated.record), key: rotated.key, previous: recordOut(rotated.previous) };
      },
      { sealed: true },
    );
  },
);
