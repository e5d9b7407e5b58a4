import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "../../src/db/database.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { runCli, sharedDatabase, type SharedDatabase } from "../support/processes.js";
import { accountWith, addCard, CARDS, saveAutoRecharge } from "../support/scenario.js";
import { LocalStripe } from "../support/stripe-server/stripe-server.js";
import { startTestApp, testPayments } from "../support/test-app.js";

let shared: SharedDatabase | undefined;
// On Stripe, one local Stripe outlives the processes: the dead worker's charge is there.
const stripe = testPayments === "stripe" ? await new LocalStripe().start() : undefined;
afterAll(async () => {
  await shared?.cleanup();
  await stripe?.stop();
});

async function snapshot(db: Database, accountId: string) {
  const [row] = await queryRows<{ id: string; balance: bigint; status: string; attempts: number; credits: bigint; charges: bigint; charge_attempts: number | null }>(
    db,
    sql`select r.id, w.balance_micros as balance, r.status, r.attempts,
               (select count(*) from ledger_entries e where e.recharge_id = r.id) as credits,
               (select count(*) from sandbox_charges c where c.idempotency_key = r.id) as charges,
               (select attempts from sandbox_charges c where c.idempotency_key = r.id) as charge_attempts
        from wallets w join recharges r on r.account_id = w.account_id where w.account_id = ${accountId}`,
  );
  const { id, ...rest } = row!;
  if (!stripe) return rest;
  const charges = stripe.chargesOf(accountId).filter((c) => c.idempotency_key === id);
  return { ...rest, charges: BigInt(charges.length), charge_attempts: charges[0]?.attempts ?? null };
}

describe("a worker killed after the provider charged, before the wallet was credited", () => {
  it("credits the wallet exactly once after restart, and the provider shows one charge", async () => {
    shared = await sharedDatabase();
    let handle = await shared.open();
    // Set up over HTTP with no worker in this process: the recharge waits, pending.
    const app = await startTestApp({}, { worker: false, db: handle, ...(stripe ? { stripe } : {}) });
    const providerEnv = stripe?.env() ?? {};
    const account = await accountWith(app, { balance: "5.00" });
    await addCard(app, account, CARDS.visa);
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    expect(saved.body.triggered_recharge.status).toBe("pending");
    await app.close();
    await handle.close();

    // The worker charges, then dies by SIGKILL before it can credit.
    // Its lease (how long others must wait before resuming its charge) is short for the test.
    const crashed = await runCli(["worker", "--drain"], { ...shared.env, ...providerEnv, PREPAID_FAULT: "crash_after_charge", PREPAID_CHARGE_LEASE_MS: "300" });
    expect(crashed.signal).toBe("SIGKILL");
    handle = await shared.open();
    expect(await snapshot(handle.db, account.id)).toEqual({
      balance: 5_000_000n,
      status: "processing",
      attempts: 1,
      credits: 0n,
      charges: 1n,
      charge_attempts: 1,
    });
    await handle.close();

    // Restarted: after the dead worker's lease, the charge is looked up, not made again.
    const restarted = await runCli(["worker", "--drain"], { ...shared.env, ...providerEnv, PREPAID_WORKER_POLL_MS: "50" });
    expect(restarted.output).toContain("drained");
    expect(restarted.code).toBe(0);
    handle = await shared.open();
    expect(await snapshot(handle.db, account.id)).toEqual({
      balance: 55_000_000n,
      status: "succeeded",
      attempts: 2,
      credits: 1n,
      charges: 1n,
      charge_attempts: 1,
    });
    expect(await verifyLedger(handle.db)).toEqual([]);
    await handle.close();
  }, 120_000);
});
