import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { MIGRATIONS_DIR } from "../../db/connect.js";
import { queryRows, type Database } from "../../db/database.js";
import { describeError } from "../../errors/describe-error.js";
import type { AppEnv } from "../context.js";
import { registry } from "../../metrics/registry.js";
import { stateGauges } from "../../metrics/state-gauges.js";
import { log } from "../../logging/logger.js";
import { noCredential, refusedAtTheEdge } from "../schemas/common.js";

/** How many migrations this build ships (drizzle-kit's journal): the database must have applied as many. */
const SHIPPED_MIGRATIONS = (JSON.parse(readFileSync(join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

type Check = "ok" | "failing" | "not run here";

/** Readiness: the database answers, every shipped migration is applied, the workers run. */
async function readiness(db: Database, workers: Record<string, boolean>): Promise<{ database: Check; migrations: Check; workers: Check }> {
  let applied: number;
  try {
    // drizzle's migrator records each applied migration in drizzle.__drizzle_migrations.
    const [row] = await queryRows<{ n: bigint }>(db, sql`select count(*) as n from drizzle.__drizzle_migrations`);
    applied = Number(row?.n ?? 0n);
  } catch (error) {
    log.error({ err: describeError(error) }, "readyz: database check failed");
    return { database: "failing", migrations: "failing", workers: "failing" };
  }
  const running = Object.values(workers);
  return {
    database: "ok",
    migrations: applied >= SHIPPED_MIGRATIONS ? "ok" : "failing",
    workers: running.length === 0 ? "not run here" : running.every(Boolean) ? "ok" : "failing",
  };
}

const CheckOut = z.enum(["ok", "failing", "not run here"]);
const ReadyOut = z.object({
  status: z.enum(["ready", "not_ready"]),
  checks: z.object({ database: CheckOut, migrations: CheckOut, workers: CheckOut }),
}).openapi({ example: { status: "ready", checks: { database: "ok", migrations: "ok", workers: "ok" } } });

/** Unauthenticated operational routes: liveness, readiness and Prometheus metrics. */
export const systemRoutes = new OpenAPIHono<AppEnv>();

systemRoutes.openapi(
  createRoute({
    method: "get",
    path: "/healthz",
    tags: ["system"],
    security: noCredential,
    summary: "Liveness: the process answers and its database does",
    description:
      "For a supervisor's liveness probe: 200 while the process answers and its database does. No credential.",
    responses: {
      200: { description: "Healthy", content: { "application/json": { schema: z.object({ status: z.literal("ok") }).openapi({ example: { status: "ok" } }) } } },
      ...refusedAtTheEdge,
    },
  }),
  async (c) => {
    await c.get("deps").db.execute(sql`select 1`);
    return c.json({ status: "ok" as const }, 200);
  },
);
systemRoutes.openapi(
  createRoute({
    method: "get",
    path: "/readyz",
    tags: ["system"],
    security: noCredential,
    summary: "Readiness: the database answers, its migrations are all applied, and this process's workers run",
    description:
      "For a load balancer: 200 `ready` when the database answers, every shipped migration is applied and this process's workers run; 503 `not_ready` otherwise, naming the failing check. No credential.",
    responses: {
      200: { description: "Ready to take traffic", content: { "application/json": { schema: ReadyOut } } },
      503: { description: "Not ready: the failing check says why", content: { "application/json": { schema: ReadyOut } } },
      ...refusedAtTheEdge,
    },
  }),
  async (c) => {
    const deps = c.get("deps");
    const checks = await readiness(deps.db, deps.workers());
    const ready = Object.values(checks).every((check) => check !== "failing");
    return ready ? c.json({ status: "ready" as const, checks }, 200) : c.json({ status: "not_ready" as const, checks }, 503);
  },
);
systemRoutes.openapi(
  createRoute({
    method: "get",
    path: "/metrics",
    tags: ["system"],
    security: noCredential,
    summary: "Prometheus metrics: request latency histograms, recharges and deliveries by outcome, usage batches, and the deployment's state (charges in flight, deliveries pending, paused accounts)",
    description:
      "Prometheus text format: per-route request counts and latency histograms, recharges by trigger and outcome, usage batch sizes and commit latency, deliveries by outcome, and gauges read from the database at each scrape (charges in flight and outcome unknown with the oldest's age, pending deliveries, paused accounts) and this process's connection pool. No credential: expose it on an internal network only.",
    responses: { 200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } }, ...refusedAtTheEdge },
  }),
  async (c) => {
    const state = await stateGauges(c.get("deps").db);
    return c.text((await registry.metrics()) + state, 200, { "Content-Type": registry.contentType });
  },
);
