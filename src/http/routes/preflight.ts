import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { preflightAccount } from "../../billing/calls/preflight.js";
import { formatMicros } from "../../money/micros.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { ACCOUNT_NOT_FOUND, IdParam, jsonBody, jsonResponse, routeErrors, security } from "../schemas/common.js";
import { Money } from "../schemas/money.js";

export const preflightRoutes = new OpenAPIHono<AppEnv>();

// A campaign's size: a day of a large dialer at most; the forecast is one pass per wave.
const MAX_CALLS = 100_000;

const PreflightIn = z
  .object({
    calls: z.number().int().min(1).max(MAX_CALLS),
    average_seconds: z.number().int().min(1).max(86_400),
    concurrency: z.number().int().min(1).max(1_000).optional().openapi({ description: "calls running at once (default 1): they start together, each against the same balance" }),
  })
  .strict()
  .openapi("PreflightInput", { example: { calls: 500, average_seconds: 95, concurrency: 10 } });

const PreflightOut = z
  .object({
    cost: Money.openapi({ description: "the whole campaign at the account's current rate" }),
    balance: Money,
    covered_calls: z.number().int().openapi({ description: "calls the credit (and the recharges expected) pays for their whole `average_seconds`" }),
    recharges_expected: z.number().int(),
    recharge_total: Money,
    shortfall: Money.openapi({ description: "the cost not covered by the balance (less what running calls hold) and the recharges expected; at least 0" }),
    stopped_by: z
      .enum(["no_auto_recharge", "failing", "daily_count", "monthly_limit"])
      .nullable()
      .openapi({ description: "why Auto-Recharge would not keep the campaign going, when it stops short; null when every call is covered" }),
  })
  .openapi("Preflight", {
    example: { cost: "142.50", balance: "37.412500", covered_calls: 500, recharges_expected: 3, recharge_total: "150.00", shortfall: "0.00", stopped_by: null },
  });

preflightRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/preflight",
    tags: ["calls"],
    summary: "Forecast a campaign against the account's balance, Auto-Recharge and limits; writes nothing",
    description:
      "Plays `calls` calls of `average_seconds` at the account's current rate, in waves of `concurrency`, against its balance (a recharge in flight counted as landed), its Auto-Recharge settings and the daily count and monthly limit as they fill: how many calls would start, how many recharges for how much, what would be missing, and what stops Auto-Recharge short. Recharges are assumed to succeed. The account, or its agency; it writes nothing, so read-only keys and viewer sessions may ask it too.",
    security,
    request: { params: IdParam, body: jsonBody(PreflightIn) },
    responses: { 200: jsonResponse(PreflightOut, "The forecast"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const body = c.req.valid("json");
    const { db, config, now } = c.get("deps");
    const result = await preflightAccount(db, config, account.id, { calls: body.calls, averageSeconds: body.average_seconds, concurrency: body.concurrency ?? 1 }, now());
    return c.json(
      {
        cost: formatMicros(result.costMicros),
        balance: formatMicros(result.balanceMicros),
        covered_calls: result.coveredCalls,
        recharges_expected: result.rechargesExpected,
        recharge_total: formatMicros(result.rechargeTotalMicros),
        shortfall: formatMicros(result.shortfallMicros),
        stopped_by: result.stoppedBy,
      },
      200,
    );
  },
);
