import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { AppEnv } from "../context.js";
import type { Metrics } from "../metrics.js";

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
    (c) => c.text(metrics.render(), 200, { "Content-Type": "text/plain; version=0.0.4" }),
  );
  return routes;
}
