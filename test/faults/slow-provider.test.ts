import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, reportUsage, saveAutoRecharge, settled, startCall, CARDS } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// A provider that answers in 3 s; ten accounts cross their threshold 150 ms apart on one process.
const PROVIDER_MS = 3_000;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PREPAID_SANDBOX_DELAY_MS: String(PROVIDER_MS), PREPAID_PAYMENTS: "sandbox" });
});
afterAll(async () => {
  await app?.close();
});

describe("one slow provider call", () => {
  it("does not hold back the charges of other accounts on the same worker", async () => {
    const accounts = [];
    for (let i = 0; i < 10; i++) {
      const account = await accountWith(app, { balance: "10.10" });
      await addCard(app, account, CARDS.visa);
      expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "20" })).status).toBe(200);
      const call = await startCall(app, account);
      accounts.push({ ...account, callId: call.body.call_id as string });
    }
    for (const account of accounts) {
      await reportUsage(app, account, account.callId, 60);
      await sleep(150);
    }
    for (const account of accounts) await settled(app, account, 20_000);
    const delays = await queryRows<{ id: string; delay_ms: number }>(
      app.db.db,
      sql`select id, extract(epoch from started_at - created_at)::float8 * 1000 as delay_ms from recharges
          where account_id = any(${`{${accounts.map((a) => a.id).join(",")}}`}::text[])`,
    );
    expect(delays).toHaveLength(10);
    // Each charge reaches the provider well within one provider call of its creation: none
    // waited for another account's 3 s call.
    for (const { delay_ms } of delays) expect(delay_ms).toBeLessThan(PROVIDER_MS / 3);
  }, 60_000);
});
