import { chmodSync, mkdirSync } from "node:fs";
import { describeError } from "../errors/describe-error.js";
import { fileURLToPath } from "node:url";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { readMigrationFiles, type MigrationMeta } from "drizzle-orm/migrator";
import { sql, type SQL } from "drizzle-orm";
import pg from "pg";
import * as schema from "./schema.js";
import { inTransaction, queryRows, type Database, type DatabaseHandle, type Tx } from "./database.js";
import { isEmptyDataDir, pgliteTemplate } from "./pglite-template.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

// int8 comes back from pg as a string, and from PGlite as a number when it is small enough:
// money must be a bigint on both back-ends, always. Drizzle falls back to these parsers.
const parseInt8 = (text: string) => BigInt(text);
pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8);

const PGLITE_SHARED_BUFFERS = "32MB";

// Any fixed number serves: it only has to be the same in every prepaid process.
const MIGRATION_LOCK_KEY = 7_482_331_905;

/**
 * Transactions on a client we check out and release ourselves. Drizzle's pool transaction
 * (0.45) sends BEGIN outside its try, so a connection lost at BEGIN is never released, and it
 * releases a client whose connection broke mid-transaction back into the pool as healthy;
 * under pg_terminate_backend the pool ran dry and every request hung. Here any failure
 * destroys the client (release(error)), and the next transaction gets a fresh connection.
 */
function poolTransaction(pool: pg.Pool) {
  return async <T>(work: (tx: unknown) => Promise<T>, config?: unknown): Promise<T> => {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      // No schema: we never use Drizzle's relational queries, and building them per transaction costs.
      return await drizzlePg(client).transaction(work as never, config as never);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(failure);
    }
  };
}

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** A PGlite data-dir dump to start from (tests clone one migrated template). */
  pgliteDump?: Blob | File;
  poolSize?: number;
}

export async function connect(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    // A bounded wait for a connection: an exhausted pool fails a request instead of hanging it.
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 });
    // An idle connection the server closed (a restart, pg_terminate_backend) must not take the
    // process down: the pool drops it and opens another on the next query.
    pool.on("error", (error) => console.error(`database: idle connection lost, the pool will replace it: ${describeError(error)}`));
    // A connection lost while checked out (mid-transaction) also emits "error" on its client;
    // unheard, that would crash the process. The query in flight fails with it anyway, its
    // transaction rolls back, and the pool discards the client when it is released.
    pool.on("connect", (client) => client.on("error", (error) => console.error(`database: connection lost: ${describeError(error)}`)));
    const db = drizzlePg(pool, { schema }) as unknown as Database;
    db.transaction = poolTransaction(pool) as Database["transaction"];
    return { db, kind: "postgres", pool, close: () => pool.end() };
  }
  if (options.dataDir && options.dataDir !== "memory://") {
    // PGlite writes its files world-writable (0666, from initdb or a loaded dump alike): the
    // directory itself is closed to other users, which makes their modes moot. Also when it
    // existed before, with a wider mode.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(options.dataDir, 0o700);
  }
  // A new database (in memory, or a data directory without one yet) starts from the install's
  // template instead of running initdb here (see pglite-template.ts).
  const fresh = !options.dataDir || options.dataDir === "memory://" || isEmptyDataDir(options.dataDir);
  const template = !options.pgliteDump && fresh ? pgliteTemplate() : undefined;
  const dump = options.pgliteDump ?? template;
  const client = await PGlite.create({
    dataDir: options.dataDir,
    // PGlite's WebAssembly memory grows and never shrinks: with PostgreSQL's default 128 MB
    // of shared buffers the server passed 512 MB RSS under the benchmark's load. Its files
    // are in the OS page cache anyway, so a smaller buffer pool costs little.
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    parsers: { [pgliteTypes.INT8]: parseInt8 },
    ...(dump ? { loadDataDir: dump } : {}),
  });
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return { db, kind: "pglite", pglite: client, close: () => client.close() };
}

/** What drizzle's migrator needs of a session: the pg dialect runs pending migrations through it. */
interface MigrationSession {
  execute(query: SQL): Promise<unknown>;
  all(query: SQL): Promise<unknown[]>;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/**
 * Applies pending migrations. On PostgreSQL several processes may start at once, so they take
 * turns on an advisory lock — a transaction-scoped one, taken first in the one transaction
 * that runs drizzle's migrator (its schema and table checks, then every pending migration),
 * and released by its commit. A session lock would not do behind PgBouncer in transaction
 * pooling: the lock stays with whichever server connection ran it, the unlock may run on
 * another, and every later start waits forever (seen in CI: three servers, one never started).
 */
export async function migrate(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR };
  if (handle.kind === "pglite") {
    await migratePglite(handle.db as never, config);
    return;
  }
  // Up to date: nothing to take a lock for, and nothing that needs the owner's privileges. The
  // service may run as a role that can only read and write rows (docs/production.md), with
  // migrations applied by the owner beforehand (`prepaid migrate`).
  const files = readMigrationFiles(config);
  if ((await appliedMigrations(handle.db)) >= files.length) return;
  await inTransaction(handle.db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    // drizzle's pg dialect runs the migrations through the session it is given (what its own
    // migrate() does with the database's): here, this transaction, its own nested one included.
    const inner = tx as unknown as { dialect: { migrate(m: MigrationMeta[], s: MigrationSession, c: typeof config): Promise<void> }; session: { all(q: SQL): Promise<unknown[]> } };
    const session: MigrationSession = { execute: (q) => tx.execute(q), all: (q) => inner.session.all(q), transaction: (work) => work(tx) };
    try {
      await inner.dialect.migrate(files, session, config);
    } catch (error) {
      // 42501 insufficient_privilege: this role may not change the schema.
      if ((error as { code?: string; cause?: { code?: string } }).code === "42501" || (error as { cause?: { code?: string } }).cause?.code === "42501") {
        throw new Error(`migrations are pending and this database role may not apply them: run \`prepaid migrate\` as the database's owner first (${describeError(error)})`);
      }
      throw error;
    }
  });
}

/** How many migrations the database records as applied (0 before the first). */
async function appliedMigrations(db: Database): Promise<number> {
  const [table] = await queryRows<{ present: boolean }>(db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (!table?.present) return 0;
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number(row?.n ?? 0);
}
