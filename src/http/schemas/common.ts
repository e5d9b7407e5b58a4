import { getOpenApiMetadata } from "@asteasolutions/zod-to-openapi";
import { z } from "@hono/zod-openapi";
import { EXAMPLES } from "./examples.js";

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string(),
      request_id: z.string(),
      field: z.string().optional().openapi({ description: "invalid_request: the request field at fault (body, query or path), when one is", example: "amount" }),
      used: z.number().int().optional().openapi({ description: "concurrency_limited: the calls the account runs now" }),
      limit: z.number().int().optional().openapi({ description: "concurrency_limited: the calls it may run at once" }),
    }),
  })
  .openapi("Error", { example: EXAMPLES.Error });

export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

type ErrorStatus = 400 | 401 | 402 | 403 | 404 | 409 | 429;

/**
 * The error answers of an authenticated route (docs/concepts.md's closed set): what every such route
 * can give, and what this one adds, each saying when. Every /v1 route can answer 400 (a body
 * that does not validate, or refused at the edge), 401, and 429 (a client address that keeps
 * failing authentication is refused before its credential is checked). A route adds 403 when
 * it writes (a read-only key or viewer session is refused at the edge) or checks a role, 404
 * when it names an object, 409 when it takes an Idempotency-Key, 402 when it spends credit.
 */
export function routeErrors(adds: { [S in Exclude<ErrorStatus, 401>]?: string } & { concurrency?: string } = {}) {
  const responses: Record<number, ReturnType<typeof errorResponse>> = {
    400: errorResponse(
      adds[400]
        ? `${adds[400]}; or \`invalid_request\`: a field that does not validate (\`field\` names it)`
        : "`invalid_request`: a field that does not validate (`field` names it), a NUL character, or a body over 1 MB",
    ),
    401: errorResponse("`unauthorized`: missing, wrong, revoked or expired API key or session"),
    429: errorResponse(
      `\`rate_limited\`: ${adds[429] ? `${adds[429]}, or ` : ""}too many failed authentications from this client address; retry after \`Retry-After\` seconds` +
        (adds.concurrency ? `. \`concurrency_limited\`: ${adds.concurrency}` : ""),
    ),
  };
  for (const status of [402, 403, 404, 409] as const) {
    if (adds[status]) responses[status] = errorResponse(adds[status]);
  }
  return responses;
}

/** The error answers of a route that takes no credential (its body or code is checked instead). */
export function publicErrors(adds: { 400?: string; 401?: string; 429?: string }) {
  const responses: Record<number, ReturnType<typeof errorResponse>> = {
    400: errorResponse(
      adds[400]
        ? `${adds[400]}; or a field that does not validate, a NUL character, or a body over 1 MB`
        : "`invalid_request`: a field that does not validate (`field` names it), a NUL character, or a body over 1 MB",
    ),
  };
  for (const status of [401, 429] as const) {
    if (adds[status]) responses[status] = errorResponse(adds[status]);
  }
  return responses;
}

/** 403 of a route that writes to an account. */
export const WRITE_FORBIDDEN =
  "`forbidden`: a read-only key or viewer session, an agency writing to its subaccount, or the operator key on a setting only the account makes";
/** 404 of a route under /v1/accounts/{id}. */
export const ACCOUNT_NOT_FOUND = "`not_found`: no such account, or one this credential may not see";
/** 409 of a route that takes an Idempotency-Key. */
export const KEY_REUSED = "`idempotency_conflict`: this Idempotency-Key was already used with a different request";
/** 403 of an operator-only route. */
export const OPERATOR_ONLY = "`forbidden`: this needs the operator key";

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const IdParam = z.object({
  id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" }, example: "acct_3kX9pQ2mZ7rT1vB8nW4y" }),
});

export const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({ param: { name: "idempotency-key", in: "header" }, description: "Same key + same body replays the stored response" }),
});

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  cursor: z.string().max(500).optional(),
});

export const security = [{ bearer: [] as string[] }];

/** Routes that take no credential: stated, so a reader (and the linter) knows it is meant. */
export const noCredential: { bearer: string[] }[] = [];

/** 429 of a route whose work waits in the usage queue: cumulative seconds make a retry exact. */
export const QUEUE_FULL = "the usage queue is full";

/** Any route's 400: a NUL in the path or query, or a body over 1 MB, is refused before routing. */
export const refusedAtTheEdge = { 400: errorResponse("Refused before routing: a NUL character in the path or query, or a body over 1 MB") } as const;

/** The example a schema was given with `.openapi(name, { example })`, to build its wrappers' examples from. */
const exampleOf = (schema: z.ZodType): unknown => getOpenApiMetadata(schema)?.example;

/** A cursor-paged list of `item`, with an example made of the item's. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() }).openapi({ example: { data: [exampleOf(item)], next_cursor: "eyJjIjoiMjAyNi0xMS0yNFQyMDoxMzozMi40MDVaIn0" } });

/** An unpaged list of `item` (every row fits one answer), with an example made of the item's. */
export const dataOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) }).openapi({ example: { data: [exampleOf(item)] } });

/** The answer of a DELETE: the id of what is gone. */
export const Deleted = z.object({ id: z.string(), deleted: z.literal(true) }).openapi({ example: { id: "pm_7hJ2kL9mN4bV6cX1zQ8w", deleted: true } });
