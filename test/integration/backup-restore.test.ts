import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { randomBase62 } from "../../src/ids/prefixed-id.js";
import { databaseUrlWithName } from "../support/database-url.js";
import { jsonClient, runCli, sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";
import { onPostgres } from "../support/test-database.js";
import { waitFor } from "../support/scenario.js";

// docs/production.md's backup recipe, run: money moves through a real server, the database is
// backed up (pg_dump on PostgreSQL; the stopped data directory on PGlite) and restored elsewhere,
// and `prepaid verify` finds every invariant holding and the same balances.
let shared: SharedDatabase | undefined;
let server: ServerProcess | undefined;
const cleanups: Array<() => void | Promise<void>> = [];
afterAll(async () => {
  await server?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
  await shared?.cleanup();
});

describe("backup and restore", () => {
  it("a restored copy verifies and holds the same balances", async () => {
    shared = await sharedDatabase();
    const admin = generateKey();
    server = await spawnServer({ ...shared.env, PREPAID_ADMIN_KEY: admin, PREPAID_DEMO: "false", LOG_LEVEL: "warn", PREPAID_WORKER_POLL_MS: "50" });
    // Follows the server: the last part restarts it on the restored copy, on another port.
    const request = jsonClient(() => server!.url);
    const call = async (key: string, method: string, path: string, body?: unknown) => (await request(method, path, key, body)).body;
    const account = await call(admin, "POST", "/v1/accounts", { name: "Backed up", type: "user" });
    const key = (await call(admin, "POST", `/v1/accounts/${account.id}/api-keys`)).key as string;
    await call(admin, "POST", `/v1/accounts/${account.id}/adjustments`, { amount: "12.00", reason: "opening" });
    await call(key, "POST", `/v1/accounts/${account.id}/payment-methods`, { card: { number: "4242424242424242", exp_month: 12, exp_year: 2034, cvc: "123" } });
    await call(key, "POST", `/v1/accounts/${account.id}/recharges`, { amount: "20.00" });
    await waitFor("the top-up", async () => ((await call(key, "GET", `/v1/accounts/${account.id}/recharges`)).data[0]?.status === "succeeded" ? true : undefined));
    const started = await call(key, "POST", "/v1/calls", { account_id: account.id });
    await call(key, "POST", `/v1/calls/${started.call_id}/end`, { elapsed_seconds: 90 });
    const balance = (await call(key, "GET", `/v1/accounts/${account.id}`)).balance as string;
    expect(balance).toBe("31.73"); // 12 + 20 − 1.5 min × $0.18 = 31.73

    let restoredEnv: Record<string, string>;
    if (onPostgres) {
      // The database is backed up while the service runs: pg_dump reads one consistent snapshot.
      const source = shared.env.DATABASE_URL!;
      const dump = join(mkdtempSync(join(tmpdir(), "prepaid-dump-")), "prepaid.dump");
      execFileSync("pg_dump", ["--format=custom", "--file", dump, source]);
      await server.stop();
      server = undefined;
      const name = `prepaid_restore_${randomBase62(8).toLowerCase()}`;
      const admin = new pg.Client({ connectionString: source });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const target = databaseUrlWithName(source, name);
      cleanups.push(async () => {
        const dropper = new pg.Client({ connectionString: source });
        await dropper.connect();
        await dropper.query(`drop database if exists ${name} with (force)`);
        await dropper.end();
      });
      execFileSync("pg_restore", ["--no-owner", "--dbname", target, dump]);
      restoredEnv = { DATABASE_URL: target };
    } else {
      // PGlite: the data directory, copied while the service is stopped.
      await server.stop();
      server = undefined;
      const copy = mkdtempSync(join(tmpdir(), "prepaid-restore-"));
      cleanups.push(() => rmSync(copy, { recursive: true, force: true }));
      cpSync(shared.env.PREPAID_DATA_DIR!, copy, { recursive: true });
      restoredEnv = { PREPAID_DATA_DIR: copy, DATABASE_URL: "" };
    }

    const verified = await runCli(["verify"], { ...restoredEnv, PREPAID_ADMIN_KEY: admin, LOG_LEVEL: "warn" });
    expect(verified.code, verified.output).toBe(0);
    expect(verified.output).toContain("verify: ok");
    // The restored copy serves the same wallet.
    server = await spawnServer({ ...restoredEnv, PREPAID_ADMIN_KEY: admin, PREPAID_DEMO: "false", LOG_LEVEL: "warn" });
    expect((await call(key, "GET", `/v1/accounts/${account.id}`)).balance).toBe(balance);
  }, 120_000);
});
