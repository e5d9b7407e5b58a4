import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCallEvent } from "../../src/billing/connector-calls/connector-events.js";
import type { CallEvent } from "../../src/connectors/connector.js";
import { queryRows } from "../../src/db/database.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { accountWith, expectLedgerVerified } from "../support/scenario.js";

let app: TestApp;
beforeAll(async () => {
  // No workers: the property drives the ticks itself, in the order it chose.
  app = await startTestApp({}, { worker: false });
});
afterAll(async () => {
  await expectLedgerVerified(app);
  await app.close();
});

type Step = { kind: "event"; which: "started" | "answered" | "ended" } | { kind: "tick"; seconds: number };

// $0.18 a minute is 3,000 µUSD a second.
const MICROS_PER_SECOND = 3000n;

describe("a provider call's bill, whatever the order of its events and ticks", () => {
  it("is the provider's duration, once: duplicates, reordering and ticks ahead of the provider change nothing", async () => {
    const account = await accountWith(app, { balance: "100.00" });
    let n = 0;
    const balance = async () =>
      (await queryRows<{ balance_micros: bigint; held_micros: bigint; active_calls: number }>(
        app.deps.db,
        sql`select balance_micros, held_micros, active_calls from wallets where account_id = ${account.id}`,
      ))[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 3 }),
        // Ticks read up to 30 s past the provider's final count (a clock ahead, an end event late).
        fc.array(fc.integer({ min: 0, max: 430 }), { maxLength: 6 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        async (duration, starts, answers, ends, ticks, order) => {
          n += 1;
          const before = (await balance()).balance_micros;
          const providerCallId = `CAprop${n}`;
          const callId = `twilio-${providerCallId}`;
          const answeredAt = new Date(Date.now() - duration * 1000);
          const event = (which: "started" | "answered" | "ended"): CallEvent => ({
            eventKey: `${providerCallId}:${which}`,
            providerCallId,
            accountId: account.id,
            kind: which,
            at: new Date(),
            ...(which === "started" ? {} : { answeredAt }),
            ...(which === "ended" ? { durationSeconds: duration } : {}),
          });
          const steps: Step[] = [
            ...Array.from({ length: starts }, () => ({ kind: "event" as const, which: "started" as const })),
            ...Array.from({ length: answers }, () => ({ kind: "event" as const, which: "answered" as const })),
            ...Array.from({ length: ends }, () => ({ kind: "event" as const, which: "ended" as const })),
            ...ticks.map((seconds) => ({ kind: "tick" as const, seconds })),
          ];
          const it = order[Symbol.iterator]();
          const shuffled = steps.map((s) => ({ s, k: it.next().value as number })).sort((a, b) => a.k - b.k).map((x) => x.s);
          for (const step of shuffled) {
            if (step.kind === "event") {
              await applyCallEvent(app.deps.db, app.config, app.deps.usageWriter, "twilio", event(step.which));
              continue;
            }
            // The ticker meters only answered calls: a tick before the answer has nothing to read. A
            // tick after the end is the race of a ticker that read the call while it ran and wrote
            // after the end committed: it must bill nothing.
            const [state] = await queryRows<{ answered: boolean }>(app.deps.db, sql`select answered_at is not null as answered from connector_calls where call_id = ${callId}`);
            if (!state?.answered) continue;
            await app.deps.usageWriter.submit([{ callId, elapsedSeconds: step.seconds, final: false, onlyWhileActive: true }]);
          }
          const [call] = await queryRows<{ billed_seconds: number; billed_micros: bigint; status: string; ended_by: string }>(
            app.deps.db,
            sql`select billed_seconds, billed_micros, status, ended_by from calls where id = ${callId}`,
          );
          expect(call).toEqual({ billed_seconds: duration, billed_micros: BigInt(duration) * MICROS_PER_SECOND, status: "ended", ended_by: "provider" });
          expect(await balance()).toEqual({ balance_micros: before - BigInt(duration) * MICROS_PER_SECOND, held_micros: 0n, active_calls: 0 });
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
