import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admitStarts, callOutlook, type CallWallet } from "../../src/billing/calls/call-credit.js";
import { usd } from "../../src/money/micros.js";

const WALLET: CallWallet = {
  status: "active",
  balanceMicros: 1_600_000n,
  inFlightMicros: 0n,
  heldMicros: 0n,
  activeCalls: 0,
  maxConcurrentCalls: null,
  ratePerMinuteMicros: 160_000n,
};

describe("admitStarts", () => {
  it("authorises 10 of 50 starts on $1.60 at $0.16/min with 60 s holds, each told what the unheld credit pays for", () => {
    const answers = admitStarts(WALLET, 50, 60);
    expect(answers.filter((a) => a.kind === "admitted")).toHaveLength(10);
    expect(answers.slice(10).every((a) => a.kind === "insufficient_credit")).toBe(true);
    // The first sees all $1.60 unheld (600 s), the last one minute.
    expect(answers[0]).toEqual({ kind: "admitted", holdMicros: 160_000n, maxSeconds: 600 });
    expect(answers[9]).toEqual({ kind: "admitted", holdMicros: 160_000n, maxSeconds: 60 });
  });

  it("counts a recharge in flight and the other calls' holds", () => {
    expect(admitStarts({ ...WALLET, balanceMicros: 0n, inFlightMicros: 320_000n }, 3, 60).map((a) => a.kind)).toEqual(["admitted", "admitted", "insufficient_credit"]);
    expect(admitStarts({ ...WALLET, heldMicros: 1_500_000n, activeCalls: 9 }, 1, 60)).toEqual([{ kind: "insufficient_credit" }]);
  });

  it("refuses a paused account first, then a full set of slots with used and limit", () => {
    expect(admitStarts({ ...WALLET, status: "paused", maxConcurrentCalls: 0 }, 1, 60)).toEqual([{ kind: "account_paused" }]);
    expect(admitStarts({ ...WALLET, balanceMicros: 0n, activeCalls: 2, maxConcurrentCalls: 2 }, 1, 60)).toEqual([{ kind: "concurrency_limited", used: 2, limit: 2 }]);
    expect(admitStarts({ ...WALLET, maxConcurrentCalls: 2 }, 3, 60).map((a) => a.kind)).toEqual(["admitted", "admitted", "concurrency_limited"]);
  });

  it("never holds more than the credit, nor runs more calls than the limit, and admits a prefix (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          balance: fc.bigInt({ min: -5_000_000n, max: 50_000_000n }),
          inFlight: fc.constantFrom(0n, 5_000_000n, 50_000_000n),
          held: fc.bigInt({ min: 0n, max: 10_000_000n }),
          active: fc.integer({ min: 0, max: 20 }),
          max: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
          rate: fc.constantFrom(160_000n, 180_000n, 170_001n),
          holdSeconds: fc.integer({ min: 1, max: 600 }),
          count: fc.integer({ min: 0, max: 60 }),
        }),
        (w) => {
          const wallet: CallWallet = {
            status: "active",
            balanceMicros: w.balance,
            inFlightMicros: w.inFlight,
            heldMicros: w.held,
            activeCalls: w.active,
            maxConcurrentCalls: w.max,
            ratePerMinuteMicros: w.rate,
          };
          const answers = admitStarts(wallet, w.count, w.holdSeconds);
          expect(answers).toHaveLength(w.count);
          const admitted = answers.filter((a) => a.kind === "admitted");
          const firstRefused = answers.findIndex((a) => a.kind !== "admitted");
          if (firstRefused >= 0) expect(answers.slice(firstRefused).every((a) => a.kind !== "admitted")).toBe(true);
          const newHolds = admitted.reduce((sum, a) => sum + a.holdMicros, 0n);
          if (admitted.length > 0) expect(w.held + newHolds).toBeLessThanOrEqual(w.balance + w.inFlight);
          if (w.max !== null) expect(w.active + admitted.length).toBeLessThanOrEqual(Math.max(w.max, w.active));
          // A refusal for credit means the next hold did not fit.
          const hold = admitted[0]?.holdMicros ?? (BigInt(w.holdSeconds) * w.rate + 59n) / 60n;
          if (answers.some((a) => a.kind === "insufficient_credit")) expect(w.balance + w.inFlight - w.held - newHolds).toBeLessThan(hold);
        },
      ),
    );
  });
});

describe("callOutlook", () => {
  const at = (balance: bigint, activeRate = 0n) =>
    callOutlook({ ended: false, balanceMicros: balance, inFlightMicros: 0n, activeRateMicros: activeRate, ratePerMinuteMicros: 160_000n });

  it("says wrap_up exactly when 60 s or less remain, end_call when nothing does", () => {
    expect(at(160_003n)).toEqual({ secondsRemaining: 60, action: "wrap_up" });
    expect(at(162_667n)).toEqual({ secondsRemaining: 61, action: "continue" });
    expect(at(2_667n)).toEqual({ secondsRemaining: 1, action: "wrap_up" });
    expect(at(2_666n)).toEqual({ secondsRemaining: 0, action: "end_call" });
    expect(at(-5n)).toEqual({ secondsRemaining: 0, action: "end_call" });
  });

  it("shares the credit among the wallet's running calls, and counts a recharge in flight", () => {
    // Ten calls at $0.16 on $1.60: the wallet lasts a minute, for each of them.
    expect(at(1_600_000n, 1_600_000n)).toEqual({ secondsRemaining: 60, action: "wrap_up" });
    expect(callOutlook({ ended: false, balanceMicros: 0n, inFlightMicros: usd(25), activeRateMicros: 160_000n, ratePerMinuteMicros: 160_000n }).secondsRemaining).toBe(9375);
    expect(callOutlook({ ended: true, balanceMicros: usd(25), inFlightMicros: 0n, activeRateMicros: 0n, ratePerMinuteMicros: 160_000n })).toEqual({ secondsRemaining: 0, action: "end_call" });
  });
});
