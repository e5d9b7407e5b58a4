import { z } from "@hono/zod-openapi";

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string(),
      request_id: z.string(),
      field: z.string().optional().openapi({ description: "invalid_request: the request field at fault (body, query or path), when one is", example: "amount" }),
    }),
  })
  .openapi("Error");

export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

/** The error answers every authenticated route can give. */
export const errorResponses = {
  400: errorResponse("Invalid request (code `invalid_request` or `payment_method_required`)"),
  401: errorResponse("Missing, wrong or revoked API key"),
  403: errorResponse("Not allowed (an agency writing to its subaccount, or not the operator)"),
  404: errorResponse("Not found, or another tenant's object"),
  409: errorResponse("Idempotency-Key reused with another request"),
} as const;

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

/** A full queue (usage, call starts): retry after the seconds in Retry-After; cumulative seconds make a retry exact. */
export const queueFull = { 429: errorResponse("`rate_limited`: the queue is full; retry after `Retry-After` seconds") } as const;

/** Any route's 400: a NUL in the path or query, or a body over 1 MB, is refused before routing. */
export const refusedAtTheEdge = { 400: errorResponse("Refused before routing: a NUL character in the path or query, or a body over 1 MB") } as const;

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });
