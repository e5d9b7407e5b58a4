import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";
import { onPostgres } from "../support/test-database.js";
import { driveLoad, expectExactOutcome, faultServerEnv, seedLoad, waitUntilSettled } from "./load-harness.js";

// CI runs a short version; PREPAID_CRASH_ROUNDS=20 is the long one (see README).
const ROUNDS = Number(process.env.PREPAID_CRASH_ROUNDS ?? "4");

let shared: SharedDatabase | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  await shared?.cleanup();
});

describe("kill -9 of the server under load", () => {
  it(`loses no usage, bills nothing twice and charges nothing twice across ${ROUNDS} kills`, async () => {
    shared = await sharedDatabase();
    const seed = await shared.open();
    await seedLoad(seed.db);
    await seed.close();
    const admin = generateKey();
    const env = faultServerEnv(shared.env, admin);
    server = await spawnServer(env);
    let url = server.url;
    let kills = 0;
    let loadDone = false;
    // What every killed server printed: when a restart fails, the one before it says why.
    const earlier: string[] = [];
    const stopLoad = new AbortController();

    const killer = (async () => {
      while (kills < ROUNDS && !loadDone) {
        await sleep(150 + Math.floor(Math.random() * 500));
        if (loadDone) break;
        const exit = await server!.kill();
        earlier.push(`server ${kills + 1} (${exit.signal ?? exit.code}):\n${exit.output}`);
        kills++;
        server = await spawnServer(env);
        url = server.url;
      }
    })().catch((error: unknown) => {
      stopLoad.abort(error);
      throw new Error(`restart ${kills} failed; the killed server printed:\n${earlier.at(-1)?.slice(-4_000)}`, { cause: error });
    });
    // Long enough that every kill lands mid-load: the load stalls while the server is down.
    const steps = Math.max(24, ROUNDS * 8);
    const load = driveLoad(() => url, admin, { steps, pauseMs: 100, signal: stopLoad.signal })
      .catch((error: unknown) => {
        if (stopLoad.signal.aborted) throw error;
        throw new Error(`the load failed; the running server printed:\n${server!.output().slice(-4_000)}`, { cause: error });
      })
      .finally(() => (loadDone = true));
    const [{ retries }] = await Promise.all([load, killer]);
    expect(kills).toBe(ROUNDS);
    expect(retries).toBeGreaterThan(0); // the kills landed while reports were in flight

    // Let the restarted server finish what the dead ones left in flight, then stop it.
    if (onPostgres) {
      const watcher = await shared.open();
      await waitUntilSettled(watcher.db);
      await watcher.close();
    } else {
      // A PGlite directory has one process at a time: give the server time, check after.
      await sleep(3_000);
    }
    await server.stop();
    server = undefined;

    const check = await shared.open();
    try {
      await waitUntilSettled(check.db, 1);
      await expectExactOutcome(check.db, steps);
    } finally {
      await check.close();
    }
  }, Math.max(180_000, ROUNDS * 30_000));
});
