import type { Context } from "hono";
import type { AppEnv } from "./context.js";

/**
 * The validated JSON body of a route whose body is optional, or `{}` when none came (the edge
 * drops a bare Content-Type from an empty body, so "no body" means no JSON Content-Type).
 */
export const optionalJson = <T>(c: Context<AppEnv>, valid: () => T): T | Record<string, never> =>
  c.req.header("Content-Type")?.includes("json") ? valid() : {};
