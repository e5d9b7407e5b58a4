import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { queryRows } from "../../src/db/database.js";
import { sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";
import { onPostgres } from "../support/test-database.js";
import { driveLoad, expectExactOutcome, seedLoad, waitUntilSettled } from "./load-harness.js";

let shared: SharedDatabase | undefined;
let servers: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await shared?.cleanup();
});

describe.runIf(onPostgres)("three server processes on one PostgreSQL, under load from all three", () => {
  it("makes every recharge once, sends every notification once, and keeps the invariants", async () => {
    shared = await sharedDatabase();
    const seed = await shared.open();
    await seedLoad(seed.db);
    await seed.close();
    const admin = generateKey();
    const env = { ...shared.env, PREPAID_ADMIN_KEY: admin, PREPAID_WORKER_POLL_MS: "20", PREPAID_SANDBOX_DELAY_MS: "20" };
    servers = await Promise.all([spawnServer(env), spawnServer(env), spawnServer(env)]);
    let next = 0;
    await driveLoad(() => servers[next++ % 3]!.url, admin, { steps: 30 });

    const db = await shared.open();
    try {
      await waitUntilSettled(db.db);
      await expectExactOutcome(db.db, 30);
      // One receipt per succeeded recharge, none repeated, whichever process charged it.
      const [work] = await queryRows<{ recharges: bigint; receipts: bigint; distinct_receipts: bigint; failures: bigint }>(
        db.db,
        sql`select (select count(*) from recharges where status = 'succeeded') as recharges,
                   (select count(*) from notifications where type = 'recharge.succeeded') as receipts,
                   (select count(distinct data->>'recharge_id') from notifications where type = 'recharge.succeeded') as distinct_receipts,
                   (select count(*) from notifications where type = 'recharge.failed') as failures`,
      );
      expect(work!.recharges).toBeGreaterThanOrEqual(8n);
      expect(work).toEqual({ recharges: work!.recharges, receipts: work!.recharges, distinct_receipts: work!.recharges, failures: 0n });
    } finally {
      await db.close();
    }
  }, 120_000);
});
