import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settleProviderEvent } from "../../src/billing/provider-events.js";
import { inTransaction, queryRows } from "../../src/db/database.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import type { ProviderEvent } from "../../src/payments/gateway.js";
import { getAccount, pendingSandboxTopUp } from "../support/scenario.js";
import { startTestApp, testPayments, type TestApp } from "../support/test-app.js";
import { onPostgres } from "../support/test-database.js";

// A provider event about a charge (or dispute) that another transaction is settling right now.
// Under READ COMMITTED the event's transaction saw the charge as unsettled and parked itself,
// while the settling transaction looked for parked events before that park committed: both
// committed and the dispute stayed parked for good — its $50 never taken back (seen in CI:
// the sandbox's card 0259, whose dispute is polled while the worker settles the charge).
describe.runIf(testPayments === "sandbox" && onPostgres)("a provider event racing the settlement of what it is about", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, { worker: false });
  });
  afterAll(async () => {
    expect(await verifyLedger(app.db.db)).toEqual([]);
    await app.close();
  });

  const handle = (event: ProviderEvent) => inTransaction(app.db.db, (tx) => settleProviderEvent(tx, app.config, event));

  /**
   * Handles `first` in a transaction held open, then `second` on another connection, and
   * commits the first once the second has finished or is waiting for a lock.
   */
  async function race(first: ProviderEvent, second: ProviderEvent) {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handledFirst!: () => void;
    const firstHandled = new Promise<void>((resolve) => (handledFirst = resolve));
    const firstDone = inTransaction(app.db.db, async (tx) => {
      const outcome = await settleProviderEvent(tx, app.config, first);
      handledFirst();
      await gate;
      return outcome;
    });
    await firstHandled;
    let secondFinished = false;
    const secondDone = handle(second).finally(() => (secondFinished = true));
    const waiting = async () =>
      (await queryRows<{ n: number }>(app.db.db, sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`))[0]!.n;
    for (let i = 0; i < 200 && !secondFinished && (await waiting()) === 0; i++) await sleep(10);
    release();
    return Promise.all([firstDone, secondDone]);
  }

  it("a dispute opened while the charge is being settled is applied once the settlement commits", async () => {
    const { account, rechargeId } = await pendingSandboxTopUp(app, "ch_race_settle");
    const [settledOutcome, disputeOutcome] = await race(
      { id: "evt_race_paid", type: "payment_intent.succeeded", kind: "charge_succeeded", rechargeId, chargeId: "ch_race_settle" },
      { id: "evt_race_open", type: "charge.dispute.created", kind: "dispute_opened", chargeId: "ch_race_settle", disputeId: "dp_race_settle", amountMicros: 50_000_000n },
    );
    expect(settledOutcome).toBe("settled: succeeded");
    expect(disputeOutcome).toBe("settled: dispute opened, 50.00 taken back");
    expect((await getAccount(app, account)).balance).toBe("0.00");
    expect(await queryRows(app.db.db, sql`select event_id from parked_provider_events`)).toEqual([]);
  });

  it("a dispute closed while its opening is being settled is applied once the opening commits", async () => {
    const { account, rechargeId } = await pendingSandboxTopUp(app, "ch_race_open");
    expect(await handle({ id: "evt_race2_paid", type: "payment_intent.succeeded", kind: "charge_succeeded", rechargeId, chargeId: "ch_race_open" })).toBe(
      "settled: succeeded",
    );
    const [openedOutcome, wonOutcome] = await race(
      { id: "evt_race2_open", type: "charge.dispute.created", kind: "dispute_opened", chargeId: "ch_race_open", disputeId: "dp_race_open", amountMicros: 50_000_000n },
      { id: "evt_race2_won", type: "charge.dispute.closed", kind: "dispute_closed", disputeId: "dp_race_open", outcome: "won" },
    );
    expect(openedOutcome).toBe("settled: dispute opened, 50.00 taken back");
    expect(wonOutcome).toBe("settled: dispute won");
    expect((await getAccount(app, account)).balance).toBe("50.00");
    expect(await queryRows(app.db.db, sql`select event_id from parked_provider_events`)).toEqual([]);
  });
});
