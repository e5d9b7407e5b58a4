import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inTransaction } from "../../src/db/database.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Every queue is bounded (docs/production.md): the usage group commit holds at most PREPAID_USAGE_QUEUE_MAX events (20,000; 3,000 here)
// waiting. Past that, a report is answered 429 rate_limited with Retry-After at once — before
// it waits or is written — instead of queueing without end while memory grows.
let app: TestApp;
beforeAll(async () => {
  // One writer, so a burst piles up behind it (the embedded default's setting).
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_USAGE_WRITERS: "1", PREPAID_USAGE_QUEUE_MAX: "3000" }, { worker: false });
});
afterAll(async () => app?.close());

describe("a full usage queue", { timeout: 120_000 }, () => {
  it("answers 429 rate_limited with Retry-After; what it accepted is answered in full", async () => {
    const account = await app.createAccount({ name: "Flood", type: "user" });
    await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "100000.00", reason: "flood" } });
    const calls: string[] = [];
    for (let i = 0; i < 20; i++) calls.push((await app.request("POST", "/v1/calls", { key: account.key, body: { account_id: account.id } })).body.call_id);
    // 40 batches of 1000 events at once: 40,000 events against a 3,000-event queue.
    const batches = Array.from({ length: 40 }, (_, b) => ({
      events: Array.from({ length: 1000 }, (_, i) => ({ call_id: calls[i % calls.length]!, elapsed_seconds: b * 1000 + i + 1 })),
    }));
    // The wallet is held by another transaction for 2 s, so the writer's first batch waits on it
    // and the rest pile up behind (on PGlite, its one connection is held). The reports use the
    // operator key from the environment: authenticating it reads no table, so they reach the queue.
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const hold = inTransaction(app.db.db, async (tx) => {
      await tx.execute(sql`select 1 from wallets where account_id = ${account.id} for update`);
      held();
      await sleep(2_000);
    });
    await holding;
    const answers = await Promise.all(batches.map((body) => app.request("POST", "/v1/usage", { key: app.adminKey, body })));
    await hold;
    const refused = answers.filter((a) => a.status === 429);
    const accepted = answers.filter((a) => a.status === 200);
    expect(refused.length + accepted.length).toBe(40);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    for (const a of refused) {
      expect(a.body.error.code).toBe("rate_limited");
      expect(a.headers.get("Retry-After")).toBe("1");
    }
    for (const a of accepted) expect(a.body.data).toHaveLength(1000);
    // The server is still answering, and a retry after the burst is accepted.
    const retry = await app.request("POST", "/v1/usage", { key: account.key, body: { events: [{ call_id: calls[0]!, elapsed_seconds: 50_000 }] } });
    expect(retry.status).toBe(200);
  });
});
