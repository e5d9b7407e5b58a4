import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, CARDS, saveAutoRecharge, settled, useScenarioApp } from "../support/scenario.js";

// A provider that fails before charging, charges and then fails to answer, or answers after
// the worker gave up waiting; ten quick retries so every charge eventually goes through.
const app = useScenarioApp({
  PREPAID_SANDBOX_FAULTS: "error=0.2,error_after=0.2,slow=0.15,slow_ms=300",
  PREPAID_GATEWAY_TIMEOUT_MS: "150",
  PREPAID_RETRY_DELAYS: Array(12).fill("50ms").join(","),
});

describe("provider faults: 5xx before and after charging, and answers slower than the timeout", () => {
  it("charges each recharge once at the provider and credits it once", async () => {
    const accounts = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const account = await accountWith(app, { balance: "5.00" });
        await addCard(app, account, CARDS.visa);
        return account;
      }),
    );
    await Promise.all(accounts.map((a) => saveAutoRecharge(app, a, { enabled: true, threshold: "10", amount: "50" })));
    for (const account of accounts) {
      const list = await settled(app, account, 30_000);
      expect(list.map((r) => [r.status, r.amount])).toEqual([["succeeded", "50.00"]]);
    }
    // The faults happened: some recharges needed more than one attempt.
    const [attempts] = await queryRows<{ retried: bigint; rows: bigint; keys: bigint; succeeded: bigint }>(
      app.db.db,
      sql`select (select count(*) from recharges where attempts > 1) as retried,
                 (select count(*) from sandbox_charges) as rows,
                 (select count(distinct idempotency_key) from sandbox_charges) as keys,
                 (select count(*) from sandbox_charges where status = 'succeeded') as succeeded`,
    );
    expect(attempts!.retried).toBeGreaterThan(0n);
    // One provider charge per recharge, all succeeded; one credit each (verify runs after the file).
    expect(attempts).toMatchObject({ rows: 12n, keys: 12n, succeeded: 12n });
    const balances = await queryRows<{ balance_micros: bigint }>(
      app.db.db,
      sql`select balance_micros from wallets where account_id = any(${`{${accounts.map((a) => a.id).join(",")}}`}::text[])`,
    );
    expect(balances.map((b) => b.balance_micros)).toEqual(Array(12).fill(55_000_000n));
  }, 60_000);
});
