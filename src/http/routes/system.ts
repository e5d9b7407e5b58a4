import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { MIGRATIONS_DIR } from "../../db/connect.js";
import { queryRows, type Database } from "../../db/database.js";
import { describeError } from "../../errors/describe-error.js";
import type { AppEnv } from "../context.js";
import type { Metrics } from "../metrics.js";
import { log } from "../../logging/logger.js";

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
});

/** Unauthenticated operational routes: liveness, readiness and Prometheus metrics. */
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
      path: "/readyz",
      tags: ["system"],
      summary: "Readiness: the database answers, its migrations are all applied, and this process's workers run",
      responses: {
        200: { description: "Ready to take traffic", content: { "application/json": { schema: ReadyOut } } },
        503: { description: "Not ready: the failing check says why", content: { "application/json": { schema: ReadyOut } } },
      },
    }),
    async (c) => {
      const deps = c.get("deps");
      const checks = await readiness(deps.db, deps.workers());
      const ready = Object.values(checks).every((check) => check !== "failing");
      return ready ? c.json({ status: "ready" as const, checks }, 200) : c.json({ status: "not_ready" as const, checks }, 503);
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
