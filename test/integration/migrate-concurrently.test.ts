import { sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { connect, migrate } from "../../src/db/connect.js";
import { queryRows } from "../../src/db/database.js";
import { randomBase62 } from "../../src/ids/prefixed-id.js";
import { databaseUrlWithName, directDatabaseUrl } from "../support/database-url.js";
import { onPostgres } from "../support/test-database.js";

// Several processes start at once on an empty PostgreSQL database (and, in .ci/run's PgBouncer
// pass, through PgBouncer in transaction pooling): they take turns, each migration is applied
// once, and no lock is left behind for the next start to wait on.
describe.runIf(onPostgres)("migrations from several processes at once", () => {
  it("applies every migration once, whichever start comes first, and leaves no advisory lock", async () => {
    const name = `${inject("pgTemplate")}_mig_${randomBase62(6).toLowerCase()}`;
    const admin = new pg.Client({ connectionString: directDatabaseUrl() });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
      const url = databaseUrlWithName(process.env.DATABASE_URL!, name);
      const handles = await Promise.all([0, 1, 2].map(() => connect({ databaseUrl: url, poolSize: 3 })));
      try {
        await Promise.all(handles.map((h) => migrate(h)));
        // Started again (a restart): nothing pending, nothing waits.
        await Promise.all(handles.map((h) => migrate(h)));
        const applied = await queryRows<{ n: bigint; distinct_hashes: bigint }>(handles[0]!.db, sql`select count(*) as n, count(distinct hash) as distinct_hashes from drizzle.__drizzle_migrations`);
        expect(applied[0]!.n).toBe(applied[0]!.distinct_hashes);
        expect(Number(applied[0]!.n)).toBeGreaterThanOrEqual(17);
        const direct = new pg.Client({ connectionString: databaseUrlWithName(directDatabaseUrl()!, name) });
        await direct.connect();
        try {
          // pg_locks is the whole server's: other test files, on their own databases, hold
          // transaction-scoped advisory locks of their own at any instant (provider events,
          // delivery claims). Only this database's locks are ours to count.
          const { rows } = await direct.query(
            "select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())",
          );
          expect(rows[0].n).toBe(0);
        } finally {
          await direct.end();
        }
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    } finally {
      await admin.end();
    }
  }, 60_000);
});
