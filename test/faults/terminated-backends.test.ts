import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";
import { onPostgres } from "../support/test-database.js";
import { driveLoad, expectExactOutcome, faultServerEnv, seedLoad, waitUntilSettled } from "./load-harness.js";

let shared: SharedDatabase | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  await shared?.cleanup();
});

describe.runIf(onPostgres)("PostgreSQL backends terminated mid-transaction (pg_terminate_backend)", () => {
  it("recovers without a restart, and loses or repeats nothing", async () => {
    shared = await sharedDatabase();
    const seed = await shared.open();
    await seedLoad(seed.db);
    await seed.close();
    const admin = generateKey();
    server = await spawnServer(faultServerEnv(shared.env, admin));

    const killer = new pg.Client({ connectionString: shared.env.DATABASE_URL });
    await killer.connect();
    let terminated = 0;
    let loadDone = false;
    const terminating = (async () => {
      while (!loadDone) {
        await sleep(30 + Math.floor(Math.random() * 70));
        const { rows } = await killer.query<{ n: string }>(
          `select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid()`,
        );
        terminated += Number(rows[0]!.n);
      }
    })();
    await driveLoad(() => server!.url, admin, { steps: 40, pauseMs: 20 });
    loadDone = true;
    await terminating;
    // Whether a termination lands mid-transaction is up to timing; that they happened is not.
    expect(terminated).toBeGreaterThan(10);

    const watcher = await shared.open();
    await waitUntilSettled(watcher.db);
    // Still serving after all that, with the same process.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await expectExactOutcome(watcher.db, 40);
    await watcher.close();
    await killer.end();
  }, 120_000);
});
