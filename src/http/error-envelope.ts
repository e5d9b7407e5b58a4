import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { AppError, type ErrorCode } from "../errors/app-error.js";
import { describeError } from "../errors/describe-error.js";
import type { AppEnv } from "./context.js";
import { log } from "../logging/logger.js";

export function envelope(
  c: Context<AppEnv>,
  code: ErrorCode,
  message: string,
  status: number,
  field?: string,
  slots?: { used: number; limit: number },
): Response {
  return c.json({ error: { code, message, request_id: c.get("requestId"), ...(field ? { field } : {}), ...slots } }, status as 400);
}

/** "amount: must be whole cents (at most 2 decimals)": the first problem, named by its field. */
export function describeZodError(error: ZodError): { message: string; field: string | undefined } {
  const issue = error.issues[0];
  if (!issue) return { message: "invalid request", field: undefined };
  const path = issue.path.map(String).join(".");
  return path ? { message: `${path}: ${issue.message}`, field: path } : { message: issue.message, field: undefined };
}

/** The one place an exception becomes an HTTP answer. */
export function handleError(error: unknown, c: Context<AppEnv>): Response {
  if (error instanceof AppError) {
    if (error.retryAfterSeconds !== undefined) c.header("Retry-After", String(error.retryAfterSeconds));
    return envelope(c, error.code, error.message, error.status, error.field, error.slots);
  }
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own refusals, e.g. a body that is not JSON.
    return envelope(c, "invalid_request", error.message || "invalid request", 400);
  }
  // A bug: log it with the request id, never the body (card data) nor a statement's
  // parameters (keys, emails): describeError keeps the kind and the message only.
  log.error({ request_id: c.get("requestId"), method: c.req.method, route: c.req.routePath, err: describeError(error) }, "request failed");
  return envelope(c, "internal_error", "internal error; the request id identifies it in the logs", 500);
}
