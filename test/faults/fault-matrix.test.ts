import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { accountWith, addCard, CARDS, saveAutoRecharge, settled } from "../support/scenario.js";
import { startTestApp } from "../support/test-app.js";

// The provider fails before charging (nothing charged), charges and then fails to answer, or
// answers after the worker stopped waiting — with no retry, one, and the default count (four).
const FAULTS = "error=0.25,error_after=0.25,slow=0.2,slow_ms=300";
const ACCOUNTS = 10;

describe.each([
  ["no retry", "none"],
  ["one retry", "50ms"],
  ["the default number of retries", "50ms,50ms,50ms,50ms"],
])("provider faults with %s", (_label, delays) => {
  it("credits every provider charge exactly once and leaves nothing unresolved", async () => {
    const app = await startTestApp({
      PREPAID_PAYMENTS: "sandbox",
      PREPAID_SANDBOX_FAULTS: FAULTS,
      PREPAID_GATEWAY_TIMEOUT_MS: "150",
      PREPAID_RECONCILE_INTERVAL: "100ms",
      PREPAID_RETRY_DELAYS: delays,
    });
    try {
      const accounts = await Promise.all(
        Array.from({ length: ACCOUNTS }, async () => {
          const account = await accountWith(app, { balance: "5.00" });
          await addCard(app, account, CARDS.visa);
          return account;
        }),
      );
      await Promise.all(accounts.map((a) => saveAutoRecharge(app, a, { enabled: true, threshold: "10", amount: "50" })));
      for (const account of accounts) await settled(app, account, 30_000);

      // Per recharge: the provider's record and ours agree — a charge the provider made is a
      // succeeded recharge credited once; a failed recharge has no charge at the provider.
      const rows = await queryRows<{ id: string; status: string; provider: string | null; credits: bigint }>(
        app.db.db,
        sql`select r.id, r.status, c.status as provider, (select count(*) from ledger_entries e where e.recharge_id = r.id) as credits
            from recharges r left join sandbox_charges c on c.idempotency_key = r.id`,
      );
      expect(rows).toHaveLength(ACCOUNTS);
      for (const row of rows) {
        if (row.provider === "succeeded") expect(row).toMatchObject({ status: "succeeded", credits: 1n });
        else expect(row).toMatchObject({ status: "failed", credits: 0n });
      }
      // The faults happened (some tries needed a lookup), and some charges went through.
      expect(rows.some((r) => r.status === "succeeded")).toBe(true);
      const metrics = await app.request("GET", "/metrics");
      expect(metrics.body).toMatch(/^prepaid_charges_outcome_unknown 0$/m);
      expect(await verifyLedger(app.db.db)).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
