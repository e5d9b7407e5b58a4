import { sql } from "drizzle-orm";
import { queryRows, type Database } from "../db/database.js";
import { poolStats } from "../db/pool-stats.js";

interface StateRow {
  unknown_n: bigint;
  unknown_oldest: number | null;
  in_flight_n: bigint;
  in_flight_oldest: number | null;
  pending_recharges_n: bigint;
  deliveries_pending_n: bigint;
  deliveries_oldest: number | null;
  paused_n: bigint;
}

const gauge = (name: string, help: string, value: bigint | string) => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`];
const age = (seconds: number | null) => Math.max(0, Number(seconds ?? 0)).toFixed(3);

/**
 * What is true right now, read from the database at each scrape (one statement: the recharge and
 * delivery counts read partial indexes of open rows; paused accounts scan `accounts`, a few ms
 * per 100k accounts), so every process reports the whole deployment's state — the worker
 * that holds a charge may be another process, or `prepaid worker` with no HTTP at all. The
 * alerts that matter read these: a charge stuck in flight, an outcome never given, deliveries
 * piling up (docs/production.md).
 */
export async function stateGauges(db: Database): Promise<string> {
  const [row] = await queryRows<StateRow>(
    db,
    sql`select
          (select count(*) from recharges where status in ('pending', 'processing') and outcome_unknown_since is not null) as unknown_n,
          (select extract(epoch from now() - min(outcome_unknown_since))::float8 from recharges
             where status in ('pending', 'processing') and outcome_unknown_since is not null) as unknown_oldest,
          (select count(*) from recharges where status = 'processing') as in_flight_n,
          (select extract(epoch from now() - min(coalesce(started_at, updated_at)))::float8 from recharges where status = 'processing') as in_flight_oldest,
          (select count(*) from recharges where status = 'pending') as pending_recharges_n,
          (select count(*) from deliveries where status = 'pending') as deliveries_pending_n,
          (select extract(epoch from now() - min(created_at))::float8 from deliveries where status = 'pending') as deliveries_oldest,
          (select count(*) from accounts where status = 'paused') as paused_n`,
  );
  const r = row!;
  return [
    ...gauge("prepaid_charges_outcome_unknown", "Recharges whose outcome the provider has not given after every try (still being looked up).", r.unknown_n),
    ...gauge("prepaid_charge_outcome_unknown_oldest_age_seconds", "Age of the oldest of them (0 when none).", age(r.unknown_oldest)),
    ...gauge("prepaid_charges_in_flight", "Recharges a worker is charging now (status processing).", r.in_flight_n),
    ...gauge("prepaid_charge_in_flight_oldest_age_seconds", "How long the oldest charge in flight has been at it (0 when none).", age(r.in_flight_oldest)),
    ...gauge("prepaid_recharges_pending", "Recharges waiting for a worker (new, or a retry's backoff).", r.pending_recharges_n),
    ...gauge("prepaid_deliveries_pending", "Webhook and email deliveries not yet delivered or given up.", r.deliveries_pending_n),
    ...gauge("prepaid_delivery_pending_oldest_age_seconds", "Age of the oldest pending delivery (0 when none).", age(r.deliveries_oldest)),
    ...gauge("prepaid_accounts_paused", "Accounts paused by a failed payment.", r.paused_n),
    ...poolGauges(db),
    "",
  ].join("\n");
}

/**
 * This process's PostgreSQL pool (none on PGlite), read after the state query released its
 * connection, so `busy` counts the requests' connections, not the scrape's.
 */
function poolGauges(db: Database): string[] {
  const pool = poolStats(db);
  if (!pool) return [];
  const name = "prepaid_db_pool_connections";
  return [
    `# HELP ${name} This process's database connections by state (busy: checked out by a request or worker).`,
    `# TYPE ${name} gauge`,
    `${name}{state="busy"} ${pool.total - pool.idle}`,
    `${name}{state="idle"} ${pool.idle}`,
    ...gauge("prepaid_db_pool_max_connections", "The most connections this process opens (10).", String(pool.max)),
    ...gauge("prepaid_db_pool_waiting", "Queries waiting for a free connection: above 0 for long, the pool is the bottleneck.", String(pool.waiting)),
  ];
}
