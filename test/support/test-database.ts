import { readFileSync } from "node:fs";
import pg from "pg";
import { inject } from "vitest";
import { connect } from "../../src/db/connect.js";
import type { DatabaseHandle } from "../../src/db/database.js";
import { randomBase62 } from "../../src/ids/prefixed-id.js";
import { databaseUrlWithName, directDatabaseUrl } from "./database-url.js";

export const onPostgres = Boolean(process.env.DATABASE_URL);

export interface TestDatabase extends DatabaseHandle {
  /** PostgreSQL only: the URL of this test's own database (for other processes). */
  url: string | undefined;
}

/**
 * A fresh, migrated database for one test file: a copy of the run's template, on PGlite
 * or, when DATABASE_URL is set, on that PostgreSQL server.
 */
export async function testDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const databaseUrl = process.env.DATABASE_URL;
  const template = inject("pgTemplate");
  if (databaseUrl && template) {
    const name = `${template}_${randomBase62(8).toLowerCase()}`;
    const admin = new pg.Client({ connectionString: directDatabaseUrl() });
    await admin.connect();
    try {
      await admin.query(`create database ${name} template ${template}`);
    } finally {
      await admin.end();
    }
    const url = databaseUrlWithName(databaseUrl, name);
    const handle = await connect({ databaseUrl: url, poolSize: options.poolSize ?? 10 });
    return { ...handle, url };
  }
  const dumpPath = inject("pgliteDumpPath");
  if (!dumpPath) throw new Error("assertion: global setup provides a PGlite template");
  const handle = await connect({ pgliteDump: new Blob([readFileSync(dumpPath)]) });
  return { ...handle, url: undefined };
}
