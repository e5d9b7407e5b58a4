import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Call } from "../../src/billing/calls/calls.js";
import { rateBatch, usageAnswers, type UsageEvent } from "../../src/billing/usage/rate-batch.js";
import { planPosting } from "../../src/ledger/posting.js";
import { cost } from "../../src/money/rating.js";

const RATES = [160_000n, 180_000n, 170_001n];

/** Up to 4 calls on up to 3 accounts, some already billed, one perhaps ended. */
const callsArb = fc
  .array(
    fc.record({
      account: fc.integer({ min: 1, max: 3 }),
      rate: fc.constantFrom(...RATES),
      billedSeconds: fc.integer({ min: 0, max: 7_200 }),
      ended: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((specs) =>
    new Map<string, Call>(
      specs.map((s, i) => [
        `call_${i}`,
        { id: `call_${i}`, accountId: `acct_${s.account}`, ratePerMinuteMicros: s.rate, billedSeconds: s.billedSeconds, billedMicros: cost(s.billedSeconds, s.rate), status: s.ended ? "ended" : "active", holdMicros: s.ended ? 0n : s.rate, margin: null },
      ]),
    ),
  );

/** Submissions of reports on those calls, in any order, some replays. */
const batchArb = (calls: Map<string, Call>) =>
  fc.array(
    fc.oneof(
      { weight: 1, arbitrary: fc.constant("replay" as const) },
      {
        weight: 5,
        arbitrary: fc.array(
          fc.record({ callId: fc.constantFrom(...calls.keys()), elapsedSeconds: fc.integer({ min: 0, max: 10_000 }), final: fc.boolean() }),
          { minLength: 1, maxLength: 5 },
        ),
      },
    ),
    { minLength: 1, maxLength: 6 },
  );

const callsAndBatch = callsArb.chain((calls) => batchArb(calls).map((batch) => ({ calls, batch })));

describe("rateBatch (property)", () => {
  it("bills each call exactly the cost of its highest cumulative report, once, and changes nothing it was given", () => {
    fc.assert(
      fc.property(callsAndBatch, ({ calls, batch }) => {
        const given = structuredClone(calls);
        const rated = rateBatch(batch, calls, "bat_test");
        expect(calls).toEqual(given);
        for (const [id, before] of calls) {
          const reports = batch.flatMap((s) => (s === "replay" ? [] : s.filter((e) => e.callId === id)));
          const highest = Math.max(before.billedSeconds, ...reports.map((e) => e.elapsedSeconds));
          const after = rated.calls.get(id)!;
          expect(after.billedSeconds).toBe(highest);
          expect(after.billedMicros).toBe(cost(highest, before.ratePerMinuteMicros));
          const debited = rated.entries.filter((e) => e.callId === id).reduce((sum, e) => sum - e.amountMicros, 0n);
          expect(debited).toBe(after.billedMicros - before.billedMicros);
          expect(after.status).toBe(before.status === "ended" || reports.some((e) => e.final) ? "ended" : "active");
        }
        expect(new Set(rated.entries.map((e) => e.entryKey)).size).toBe(rated.entries.length);
        expect(rated.entries.every((e) => e.amountMicros < 0n && e.type === "usage")).toBe(true);
        expect(rated.touched.map((c) => c.id)).toEqual(rated.touched.map((c) => c.id).sort());
        // Every reported call is written (its last report's time); each active call a final report reached ends once.
        const reported = new Set(batch.flatMap((s) => (s === "replay" ? [] : s.map((e) => e.callId))));
        expect(rated.touched.map((c) => c.id)).toEqual([...reported].sort());
        const finals = new Set(batch.flatMap((s) => (s === "replay" ? [] : s.filter((e) => e.final).map((e) => e.callId))));
        expect(rated.ended.map((c) => c.id).sort()).toEqual([...finals].filter((id) => calls.get(id)!.status === "active").sort());
      }),
    );
  });

  it("answers a replay as a replay and rates nothing for it", () => {
    fc.assert(
      fc.property(callsAndBatch, ({ calls, batch }) => {
        const rated = rateBatch(batch, calls, "bat_test");
        const replaysOnly = rateBatch(batch.map(() => "replay" as const), calls, "bat_test");
        expect(replaysOnly.entries).toEqual([]);
        expect(replaysOnly.touched).toEqual([]);
        batch.forEach((s, i) => expect(rated.submissions[i] === "replay").toBe(s === "replay"));
      }),
    );
  });

  it("gives each report the balance its wallet had right after it", () => {
    fc.assert(
      fc.property(callsAndBatch, fc.bigInt({ min: -1_000_000n, max: 50_000_000n }), ({ calls, batch }, start) => {
        const rated = rateBatch(batch, calls, "bat_test");
        const before = new Map([...calls.values()].map((c) => [c.accountId, start]));
        const plan = planPosting(before, rated.entries);
        const answers = usageAnswers(rated, before, plan.balancesAfterMicros, () => ({ inFlightMicros: 0n, activeRateMicros: 0n, lapsedMicros: 0n }));
        const running = new Map(before);
        answers.forEach((answer, i) => {
          if (answer === "replay") return;
          answer.forEach((result, j) => {
            const accountId = calls.get(result.callId)!.accountId;
            running.set(accountId, running.get(accountId)! - result.debitMicros);
            expect(result.balanceMicros).toBe(running.get(accountId));
            const event = (batch[i] as UsageEvent[])[j]!;
            const ended = event.final || rated.calls.get(result.callId)!.status === "ended";
            if (ended || result.balanceMicros <= 0n) expect(result.action).toBe("end_call");
            // Alone on its wallet (no other call's rate given), the call's own rate drains it.
            const seconds = ended || result.balanceMicros <= 0n ? 0 : Number((result.balanceMicros * 60n) / calls.get(result.callId)!.ratePerMinuteMicros);
            expect(result.secondsRemaining).toBe(Math.min(seconds, 86_400 * 365));
            if (!ended && seconds > 0) expect(result.action).toBe(seconds <= 60 ? "wrap_up" : "continue");
          });
        });
        for (const move of plan.walletMoves) expect(move.afterMicros).toBe(running.get(move.accountId));
      }),
    );
  });

  it("fails a submission whose call is not among the locked ones", () => {
    const calls = new Map<string, Call>([["call_1", { id: "call_1", accountId: "acct_1", ratePerMinuteMicros: 180_000n, billedSeconds: 0, billedMicros: 0n, status: "active", holdMicros: 180_000n, margin: null }]]);
    expect(() => rateBatch([[{ callId: "call_2", elapsedSeconds: 60, final: false }]], calls, "bat_test")).toThrow("call not found");
  });
});

describe("planPosting", () => {
  it("places entries in order on each wallet and moves each wallet once", () => {
    const plan = planPosting(
      new Map([["acct_b", 1_000n], ["acct_a", 50n]]),
      [
        { accountId: "acct_b", amountMicros: -300n, entryKey: "k1" },
        { accountId: "acct_a", amountMicros: 20n, entryKey: "k2" },
        { accountId: "acct_b", amountMicros: -800n, entryKey: "k3" },
      ],
    );
    expect(plan.balancesAfterMicros).toEqual([700n, 70n, -100n]);
    expect(plan.walletMoves).toEqual([
      { accountId: "acct_a", deltaMicros: 20n, afterMicros: 70n },
      { accountId: "acct_b", deltaMicros: -1_100n, afterMicros: -100n },
    ]);
  });

  it("refuses a wallet not locked, a zero amount and a key twice", () => {
    const locked = new Map([["acct_a", 0n]]);
    expect(() => planPosting(locked, [{ accountId: "acct_x", amountMicros: 1n, entryKey: "k" }])).toThrow("assertion");
    expect(() => planPosting(locked, [{ accountId: "acct_a", amountMicros: 0n, entryKey: "k" }])).toThrow("assertion");
    expect(() =>
      planPosting(locked, [
        { accountId: "acct_a", amountMicros: 1n, entryKey: "k" },
        { accountId: "acct_a", amountMicros: 2n, entryKey: "k" },
      ]),
    ).toThrow("assertion");
  });
});
