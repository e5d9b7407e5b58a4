import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { PGLITE_TEMPLATE_PATH } from "../../src/db/pglite-template.js";
import { spawnServer, type ServerProcess } from "../support/processes.js";

const parent = mkdtempSync(join(tmpdir(), "prepaid-first-start-"));
const dir = join(parent, "data");
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(parent, { recursive: true, force: true });
});

/** The process's peak resident set (VmHWM), in MB. */
const peakMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

// docs/production.md / issue 16: the embedded default's first start stays small. Running initdb in the
// service peaked at 893 MB (PGlite 0.5.16); starting from the install's template (postinstall)
// measured 495 MB here. The bound below is what initdb cannot meet, with room for the machine's
// variation: the figure itself is in the README.
it("a first start on an empty data directory loads the install's template instead of running initdb", async () => {
  expect(existsSync(PGLITE_TEMPLATE_PATH), "npm install (postinstall) writes the template").toBe(true);
  server = await spawnServer({ DATABASE_URL: "", PREPAID_DATA_DIR: dir, LOG_LEVEL: "warn" });
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  const peak = peakMb(server.child.pid!);
  expect(peak).toBeLessThan(650);
  expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
  // The database's files are 0666 as PGlite writes them; the directory is closed to other users.
  expect(statSync(dir).mode & 0o777).toBe(0o700);
}, 90_000);
