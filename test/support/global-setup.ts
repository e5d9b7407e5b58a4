import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { build } from "vite";
import type { TestProject } from "vitest/node";
import { connect, migrate } from "../../src/db/connect.js";
import { databaseUrlWithName, directDatabaseUrl } from "./database-url.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** PostgreSQL runs: the migrated template database each test file clones. */
    pgTemplate: string | null;
    /** PGlite runs: a dump of a migrated data directory each test file loads. */
    pgliteDumpPath: string | null;
  }
}

/**
 * Migrates one template database per test run, so each test file starts from a copy in
 * well under a second instead of running migrations (3–8 s on a fresh PGlite).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The browser tests load the dashboard the server serves from web/dist: build it once per run (~2 s).
  await build({ root: fileURLToPath(new URL("../../web", import.meta.url)), logLevel: "warn" });
  const databaseUrl = directDatabaseUrl();
  if (databaseUrl) {
    const template = `prepaid_t${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create database ${template}`);
    const handle = await connect({ databaseUrl: databaseUrlWithName(databaseUrl, template), poolSize: 2 });
    await migrate(handle);
    await handle.close();
    project.provide("pgTemplate", template);
    project.provide("pgliteDumpPath", null);
    return async () => {
      // Every database of this run starts with the template's name.
      const { rows } = await admin.query<{ datname: string }>(
        "select datname from pg_database where datname like $1 order by datname desc",
        [`${template}%`],
      );
      for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
      await admin.end();
    };
  }

  const handle = await connect({});
  await migrate(handle);
  const dump = await handle.pglite!.dumpDataDir("none");
  await handle.close();
  const dir = mkdtempSync(join(tmpdir(), "prepaid-test-"));
  const dumpPath = join(dir, "template.tar");
  writeFileSync(dumpPath, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgTemplate", null);
  project.provide("pgliteDumpPath", dumpPath);
  return async () => rmSync(dir, { recursive: true, force: true });
}
