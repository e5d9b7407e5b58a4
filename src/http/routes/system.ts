import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { queryRows, type Database } from "../../db/database.js";
import type { AppEnv } from "../context.js";
import type { Metrics } from "../metrics.js";

/**
 * Charges whose outcome the provider has not given after every try: money that may have left a
 * card and is not yet credited. They stay open and are looked up until settled; an alert on
 * the oldest one's age catches a provider that never answers.
 */
async function unresolvedCharges(db: Database): Promise<string> {
  const [row] = await queryRows<{ n: bigint; oldest_seconds: number | null }>(
    db,
    sql`select count(*) as n, extract(epoch from now() - min(outcome_unknown_since))::float8 as oldest_seconds
        from recharges where status in ('pending', 'processing') and outcome_unknown_since is not null`,
  );
  return [
    "# HELP prepaid_charges_outcome_unknown Recharges whose outcome the provider has not given after every try (still being looked up).",
    "# TYPE prepaid_charges_outcome_unknown gauge",
    `prepaid_charges_outcome_unknown ${row?.n ?? 0n}`,
    "# HELP prepaid_charge_outcome_unknown_oldest_age_seconds Age of the oldest of them (0 when none).",
    "# TYPE prepaid_charge_outcome_unknown_oldest_age_seconds gauge",
    `prepaid_charge_outcome_unknown_oldest_age_seconds ${Math.max(0, Number(row?.oldest_seconds ?? 0)).toFixed(3)}`,
    "",
  ].join("\n");
}

/** Unauthenticated operational routes: health and Prometheus metrics. */
export function systemRoutes(metrics: Metrics): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>();
  routes.openapi(
    createRoute({
      method: "get",
      path: "/healthz",
      tags: ["system"],
      summary: "Liveness: the process answers and its database does",
      responses: {
        200: { description: "Healthy", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } },
      },
    }),
    async (c) => {
      await c.get("deps").db.execute(sql`select 1`);
      return c.json({ status: "ok" as const }, 200);
    },
  );
  routes.openapi(
    createRoute({
      method: "get",
      path: "/metrics",
      tags: ["system"],
      summary: "Prometheus text metrics",
      responses: { 200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } } },
    }),
    async (c) => {
      const charges = await unresolvedCharges(c.get("deps").db);
      return c.text(metrics.render() + charges, 200, { "Content-Type": "text/plain; version=0.0.4" });
    },
  );
  return routes;
}
