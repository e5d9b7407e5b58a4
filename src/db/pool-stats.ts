import pg from "pg";
import type { Database } from "./database.js";

export interface PoolStats {
  /** Connections open, in use or idle. */
  total: number;
  idle: number;
  /** Queries waiting for a connection: above 0 for long, the pool is the bottleneck. */
  waiting: number;
  max: number;
}

/**
 * The connection pool's state on PostgreSQL; undefined on PGlite (one in-process connection,
 * nothing to pool). Drizzle keeps the client it was given as `$client`.
 */
export function poolStats(db: Database): PoolStats | undefined {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (!(client instanceof pg.Pool)) return undefined;
  return { total: client.totalCount, idle: client.idleCount, waiting: client.waitingCount, max: client.options.max ?? 10 };
}
