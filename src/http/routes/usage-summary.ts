import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { usageByDay } from "../../billing/usage/usage-summary.js";
import { invalidField } from "../../errors/app-error.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { UsageDayOut, usageDayOut } from "../schemas/billing.js";
import { ACCOUNT_NOT_FOUND, routeErrors, IdParam, jsonResponse, security, dataOf } from "../schemas/common.js";

export const usageSummaryRoutes = new OpenAPIHono<AppEnv>();

// A real calendar day in years 1970–9999: PostgreSQL has no year 0, and 2026-02-31 is not a day.
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date YYYY-MM-DD" })
  .refine((d) => {
    const ms = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(d) && d >= "1970-01-01";
  }, { error: "must be a real date YYYY-MM-DD from 1970 on" });
const MAX_DAYS = 366;

usageSummaryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/usage",
    tags: ["usage"],
    summary: "Usage per UTC day: seconds, calls and cost (default: the last 30 days)",
    description:
      "One row per UTC day in `from`…`to` (dates, at most 366 days; default the last 30) with talk seconds, minutes, calls and cost, for the usage chart and exports. Days without calls are included with zeros.",
    security,
    request: { params: IdParam, query: z.object({ from: Day.optional(), to: Day.optional() }) },
    responses: { 200: jsonResponse(dataOf(UsageDayOut), "One row per day, oldest first"), ...routeErrors({ 400: "`invalid_request`: `from` after `to`, or a span over 366 days", 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const query = c.req.valid("query");
    const today = c.get("deps").now().toISOString().slice(0, 10);
    const to = query.to ?? today;
    const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
    if (!Number.isFinite(span) || span < 0) throw invalidField("from", "must be a valid date on or before to");
    if (span >= MAX_DAYS) throw invalidField("from", `at most ${MAX_DAYS} days at a time`);
    const days = await usageByDay(c.get("deps").db, account.id, from, to);
    return c.json({ data: days.map(usageDayOut) }, 200);
  },
);
