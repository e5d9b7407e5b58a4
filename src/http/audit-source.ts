import type { Context } from "hono";
import type { AuditSource } from "../audit/audit-log.js";
import type { AppEnv } from "./context.js";

/** Who is asking and the request's id, as the audit log records them. */
export const auditSource = (c: Context<AppEnv>): AuditSource => ({ actor: c.get("principal").actor, requestId: c.get("requestId") });
