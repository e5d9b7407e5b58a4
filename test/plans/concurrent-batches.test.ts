import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageWriter } from "../../src/billing/usage/usage-writer.js";
import { queryRows } from "../../src/db/database.js";
import { accountWith, expectLedgerVerified } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Usage batches of subaccounts of the same agencies committing at once (on PostgreSQL: four
// writers, each batch on its own connection) all lock those agencies' wallets. They take every
// wallet in one account order, so none waits on another in a cycle: no deadlock, no batch lost,
// and each agency ends with exactly the margin of its subaccounts' seconds.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { worker: false });
});
afterAll(async () => {
  await expectLedgerVerified(app);
  await app.close();
});

describe("rebilled batches side by side", () => {
  it("four writers, 3 agencies × 6 subaccounts, every batch touching every agency in a different order: exact margins, verify clean", async () => {
    const agencies: Array<{ id: string; key: string }> = [];
    const calls: Array<{ id: string; agency: string }> = [];
    for (let a = 0; a < 3; a++) {
      const agency = await app.createAccount({ name: `Race agency ${a}`, type: "agency" });
      expect((await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.20", default: "0.30" } } })).status).toBe(200);
      agencies.push(agency);
      for (let s = 0; s < 6; s++) {
        const sub = await accountWith(app, { balance: "1000.00", type: "subaccount", parentId: agency.id });
        const callId = `call-race-${a}-${s}`;
        expect((await app.request("POST", "/v1/calls", { key: sub.key, body: { account_id: sub.id, call_id: callId } })).status).toBe(201);
        calls.push({ id: callId, agency: agency.id });
      }
    }
    const writers = Array.from({ length: 4 }, () => new UsageWriter(app.db.db, app.config, () => new Date(), { concurrency: 2 }));
    // 40 rounds; each round every writer submits a batch of all 18 calls, in its own rotation of
    // the list, 10 s further each round: 72 submissions in flight at a time.
    const ROUNDS = 40;
    for (let round = 1; round <= ROUNDS; round++) {
      await Promise.all(
        writers.map((writer, w) => {
          const order = [...calls.slice((w * 5) % calls.length), ...calls.slice(0, (w * 5) % calls.length)];
          return Promise.all(order.map((c) => writer.submit([{ callId: c.id, elapsedSeconds: round * 10, final: false }])));
        }),
      );
    }
    // Each call billed 400 s at $0.30 ($2.00), of which 400 s × $0.12/min = $0.80 is margin: an agency of 6 earns $4.80.
    const balances = await queryRows<{ account_id: string; balance_micros: bigint }>(
      app.db.db,
      sql`select account_id, balance_micros from wallets where account_id = any(${`{${agencies.map((a) => a.id).join(",")}}`}::text[]) order by account_id`,
    );
    expect(balances.map((b) => BigInt(b.balance_micros))).toEqual([4_800_000n, 4_800_000n, 4_800_000n]);
    const billed = await queryRows<{ n: bigint }>(app.db.db, sql`select count(*)::bigint as n from calls where id like 'call-race-%' and billed_seconds = ${ROUNDS * 10} and billed_micros = 2000000`);
    expect(Number(billed[0]!.n)).toBe(calls.length);
  });
});
