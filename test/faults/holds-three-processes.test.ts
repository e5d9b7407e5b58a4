import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { jsonClient, sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";
import { onPostgres } from "../support/test-database.js";

let shared: SharedDatabase | undefined;
let servers: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await shared?.cleanup();
});

// docs/concepts.md Holds and Concurrency across processes: every start of an account takes the
// wallet's lock, so three servers authorising the same wallet at once never hand out the same
// credit or slot twice.
describe.runIf(onPostgres)("holds and slots across three server processes on one PostgreSQL", () => {
  it("authorises exactly 10 of 50 simultaneous starts on $1.60, exactly 2 under a limit of 2, and frees each on end", async () => {
    shared = await sharedDatabase();
    const admin = generateKey();
    servers = await Promise.all([0, 1, 2].map(() => spawnServer({ ...shared!.env, PREPAID_ADMIN_KEY: admin })));
    const clients = servers.map((s) => jsonClient(s.url));
    const via = (i: number) => clients[i % 3]!;

    const account = await via(0)("POST", "/v1/accounts", admin, { name: "Dialer", type: "user", web_widget: true });
    const key = (await via(0)("POST", `/v1/accounts/${account.body.id}/api-keys`, admin, {})).body.key as string;
    expect((await via(0)("POST", `/v1/accounts/${account.body.id}/adjustments`, admin, { amount: "1.60", reason: "race" })).status).toBe(201);

    const starts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => via(i)("POST", "/v1/calls", key, { account_id: account.body.id, call_id: `race-${i}` })),
    );
    const authorised = starts.filter((r) => r.status === 201);
    expect(authorised).toHaveLength(10);
    expect(starts.filter((r) => r.status === 402).every((r) => r.body.error.code === "insufficient_credit")).toBe(true);
    expect(starts.filter((r) => r.status === 402)).toHaveLength(40);

    // Ending one lets exactly one of 10 more simultaneous starts through.
    const ended = await via(1)("POST", `/v1/calls/${authorised[0]!.body.call_id}/end`, key, { elapsed_seconds: 0 });
    expect(ended.status).toBe(200);
    const more = await Promise.all(Array.from({ length: 10 }, (_, i) => via(i)("POST", "/v1/calls", key, { account_id: account.body.id, call_id: `again-${i}` })));
    expect(more.filter((r) => r.status === 201)).toHaveLength(1);

    // A limit of 2 on a well-funded account: exactly two of 12 simultaneous starts run.
    const limited = await via(0)("POST", "/v1/accounts", admin, { name: "Limited", type: "user" });
    const limitedKey = (await via(0)("POST", `/v1/accounts/${limited.body.id}/api-keys`, admin, {})).body.key as string;
    await via(0)("POST", `/v1/accounts/${limited.body.id}/adjustments`, admin, { amount: "100.00", reason: "race" });
    expect((await via(2)("PATCH", `/v1/accounts/${limited.body.id}`, admin, { max_concurrent_calls: 2 })).status).toBe(200);
    const slots = await Promise.all(Array.from({ length: 12 }, (_, i) => via(i)("POST", "/v1/calls", limitedKey, { account_id: limited.body.id, call_id: `slot-${i}` })));
    expect(slots.filter((r) => r.status === 201)).toHaveLength(2);
    expect(slots.filter((r) => r.status === 429).every((r) => r.body.error.code === "concurrency_limited" && r.body.error.limit === 2)).toBe(true);

    const db = await shared.open();
    try {
      // verify includes the wallets' running-call sums against the calls themselves.
      expect(await verifyLedger(db.db)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
