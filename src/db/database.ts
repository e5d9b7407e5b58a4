import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import type * as schema from "./schema.js";
import { openCommitEffects, runCommitEffects } from "./after-commit.js";

/** The same Drizzle database type for PGlite and PostgreSQL; a transaction is one too. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A transaction handle; functions that must run inside one take this type. */
export type Tx = Database;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** Set on PostgreSQL: the pool behind `db`, for advisory locks and raw clients. */
  pool?: pg.Pool;
  /** Set on PGlite: the embedded database behind `db`. */
  pglite?: PGlite;
  close(): Promise<void>;
}

/** Runs raw SQL and returns its rows (both drivers put them in `.rows`). */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * Runs `fn` in one transaction: everything it writes commits together, or nothing does. What
 * it registers with afterCommit (log lines, metrics) runs after the commit, never on rollback.
 */
export async function inTransaction<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let effects: Array<() => void> = [];
  const result = await db.transaction((tx) => {
    effects = openCommitEffects(tx as unknown as Tx);
    return fn(tx as unknown as Tx);
  });
  runCommitEffects(effects);
  return result;
}
