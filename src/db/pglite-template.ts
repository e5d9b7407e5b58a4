import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";

/**
 * A freshly initialised PGlite data directory, kept as a gzipped dump. A new embedded database
 * starts from it instead of running initdb in the service's process: initdb in WebAssembly
 * peaked at 893 MB RSS there (PGlite 0.5.16), loading the dump at 396 MB. It is written at
 * `npm install` (postinstall, its own process), per PGlite version, since a dump only loads
 * into the version that made it.
 */
const PGLITE_VERSION = (JSON.parse(readFileSync(fileURLToPath(new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url)), "utf8")) as { version: string })
  .version;

export const PGLITE_TEMPLATE_PATH = fileURLToPath(new URL(`../../node_modules/.cache/prepaid/pglite-${PGLITE_VERSION}.tgz`, import.meta.url));

/** The template, when it was made for this PGlite; undefined otherwise (the caller runs initdb). */
export function pgliteTemplate(): Blob | undefined {
  return existsSync(PGLITE_TEMPLATE_PATH) ? new Blob([readFileSync(PGLITE_TEMPLATE_PATH)]) : undefined;
}

/** Whether `dataDir` holds no database yet (PostgreSQL writes PG_VERSION first thing). */
export function isEmptyDataDir(dataDir: string): boolean {
  return !existsSync(join(dataDir, "PG_VERSION"));
}

/** Makes the template: an empty in-memory database, initialised and dumped. Written atomically. */
export async function writePgliteTemplate(): Promise<void> {
  const pglite = await PGlite.create({ dataDir: "memory://" });
  try {
    const dump = await pglite.dumpDataDir("gzip");
    mkdirSync(dirname(PGLITE_TEMPLATE_PATH), { recursive: true });
    const partial = `${PGLITE_TEMPLATE_PATH}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, PGLITE_TEMPLATE_PATH);
  } finally {
    await pglite.close();
  }
}
