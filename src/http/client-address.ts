import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import type { AppEnv } from "./context.js";

/**
 * The peer's address, which per-IP limits count. Forwarded headers are not read: anyone can
 * send them, and a deployment behind a proxy that rewrites them is not one this code can know
 * of (docs/decisions.md). Requests that reach the app without a socket (app.request in a
 * test) count as "unknown".
 */
export function clientAddress(c: Context<AppEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
