import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyOverdueParked, settleProviderEvent } from "../../src/billing/provider-events/provider-events.js";
import { settleSucceeded } from "../../src/billing/recharges/settle.js";
import { inTransaction, queryRows } from "../../src/db/database.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import type { ProviderEvent } from "../../src/payments/gateway.js";
import { getAccount, pendingSandboxTopUp } from "../support/scenario.js";
import { startTestApp, testPayments, type TestApp } from "../support/test-app.js";
import { onPostgres } from "../support/test-database.js";

// A provider's events come in any order, and may come before our own settlement of the charge
// they are about (the charge's webhook is late, or the worker is settling it right now). A
// dispute or refund of a charge not settled yet, or a dispute's close before its open, waits
// for it and is applied once it appears — never dropped as "not ours".
describe.runIf(testPayments === "sandbox")("provider events that arrive before what they are about", () => {
  let app: TestApp;
  // No worker: a charge stays pending until the provider's own event settles it.
  beforeAll(async () => {
    app = await startTestApp({}, { worker: false });
  });
  afterAll(async () => {
    expect(await verifyLedger(app.db.db)).toEqual([]);
    await app.close();
  });
  const handle = (event: ProviderEvent) => inTransaction(app.db.db, (tx) => settleProviderEvent(tx, app.config, event));

  it("a dispute opened and won before the charge settled: credited, taken back, given back, each once", async () => {
    const { account, rechargeId } = await pendingSandboxTopUp(app, "ch_early");
    const opened: ProviderEvent = { id: "evt_open", type: "charge.dispute.created", kind: "dispute_opened", chargeId: "ch_early", disputeId: "dp_early", amountMicros: 50_000_000n };
    const won: ProviderEvent = { id: "evt_won", type: "charge.dispute.closed", kind: "dispute_closed", disputeId: "dp_early", outcome: "won" };
    const succeeded: ProviderEvent = { id: "evt_paid", type: "payment_intent.succeeded", kind: "charge_succeeded", rechargeId, chargeId: "ch_early", amountMicros: 50_000_000n, customerId: null };

    expect(await handle(won)).toBe("parked: waiting for dispute:dp_early");
    expect(await handle(opened)).toBe("parked: waiting for charge:ch_early");
    expect((await getAccount(app, account)).balance).toBe("0.00");
    expect(await handle(succeeded)).toBe("settled: succeeded");
    // Replays of all three change nothing.
    for (const event of [opened, won, succeeded]) expect(await handle(event)).toBe("duplicate: already handled");

    const entries = (await app.request("GET", `/v1/accounts/${account.id}/transactions`, { key: account.key })).body.data as Array<{ type: string; amount: string }>;
    expect(entries.map((e) => [e.type, e.amount]).reverse()).toEqual([
      ["recharge", "50.00"],
      ["dispute", "-50.00"],
      ["dispute", "50.00"],
    ]);
    const account1 = await getAccount(app, account);
    expect(account1.balance).toBe("50.00");
    expect(account1.auto_recharge.state).not.toBe("failing");
    const outcomes = await queryRows<{ id: string; outcome: string }>(app.db.db, sql`select id, outcome from stripe_events order by id`);
    expect(outcomes).toEqual([
      { id: "evt_open", outcome: "applied once charge appeared: settled: dispute opened, 50.00 taken back" },
      { id: "evt_paid", outcome: "settled: succeeded" },
      { id: "evt_won", outcome: "applied once dispute appeared: settled: dispute won, 50.00 given back" },
    ]);
    expect(await queryRows(app.db.db, sql`select * from parked_provider_events`)).toEqual([]);
  });

  it("a dispute left parked although its charge settled (a race before events took turns) is applied at a worker's start, once", async () => {
    const { account, rechargeId } = await pendingSandboxTopUp(app, "ch_left");
    expect(await handle({ id: "evt_left", type: "charge.dispute.created", kind: "dispute_opened", chargeId: "ch_left", disputeId: "dp_left", amountMicros: 50_000_000n })).toBe(
      "parked: waiting for charge:ch_left",
    );
    // The settlement that did not see the park (what the race did): the charge is settled, the dispute still parked.
    expect(await inTransaction(app.db.db, (tx) => settleSucceeded(tx, app.config, rechargeId, "provider_event", "ch_left"))).toBe(true);
    expect((await verifyLedger(app.db.db)).map((v) => [v.check, v.detail])).toEqual([
      ["nothing_parked_for_what_exists", "provider event evt_left is still parked, but charge:ch_left is there"],
    ]);
    expect((await getAccount(app, account)).balance).toBe("50.00");

    expect(await applyOverdueParked(app.db.db, app.config)).toBe(1);
    expect(await applyOverdueParked(app.db.db, app.config)).toBe(0);
    expect((await getAccount(app, account)).balance).toBe("0.00");
    expect(await verifyLedger(app.db.db)).toEqual([]);
    const [outcome] = await queryRows<{ outcome: string }>(app.db.db, sql`select outcome from stripe_events where id = 'evt_left'`);
    expect(outcome!.outcome).toBe("applied once charge appeared: settled: dispute opened, 50.00 taken back");
  });

  // A provider event about a charge (or dispute) that another transaction is settling right now.
  // Under READ COMMITTED the event's transaction saw the charge as unsettled and parked itself,
  // while the settling transaction looked for parked events before that park committed: both
  // committed and the dispute stayed parked for good — its $50 never taken back (seen in CI:
  // the sandbox's card 0259, whose dispute is polled while the worker settles the charge).
  describe.runIf(onPostgres)("racing the settlement of what it is about", () => {
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
        { id: "evt_race_paid", type: "payment_intent.succeeded", kind: "charge_succeeded", rechargeId, chargeId: "ch_race_settle", amountMicros: 50_000_000n, customerId: null },
        { id: "evt_race_open", type: "charge.dispute.created", kind: "dispute_opened", chargeId: "ch_race_settle", disputeId: "dp_race_settle", amountMicros: 50_000_000n },
      );
      expect(settledOutcome).toBe("settled: succeeded");
      expect(disputeOutcome).toBe("settled: dispute opened, 50.00 taken back");
      expect((await getAccount(app, account)).balance).toBe("0.00");
      expect(await queryRows(app.db.db, sql`select event_id from parked_provider_events`)).toEqual([]);
    });

    it("a dispute closed while its opening is being settled is applied once the opening commits", async () => {
      const { account, rechargeId } = await pendingSandboxTopUp(app, "ch_race_open");
      expect(await handle({ id: "evt_race2_paid", type: "payment_intent.succeeded", kind: "charge_succeeded", rechargeId, chargeId: "ch_race_open", amountMicros: 50_000_000n, customerId: null })).toBe(
        "settled: succeeded",
      );
      const [openedOutcome, wonOutcome] = await race(
        { id: "evt_race2_open", type: "charge.dispute.created", kind: "dispute_opened", chargeId: "ch_race_open", disputeId: "dp_race_open", amountMicros: 50_000_000n },
        { id: "evt_race2_won", type: "charge.dispute.closed", kind: "dispute_closed", disputeId: "dp_race_open", outcome: "won" },
      );
      expect(openedOutcome).toBe("settled: dispute opened, 50.00 taken back");
      expect(wonOutcome).toBe("settled: dispute won, 50.00 given back");
      expect((await getAccount(app, account)).balance).toBe("50.00");
      expect(await queryRows(app.db.db, sql`select event_id from parked_provider_events`)).toEqual([]);
    });
  });
});
