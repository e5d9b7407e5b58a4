import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meteredSeconds, overshootSeconds, planAfterTick, planConnectorEvent, type ConnectorCallStatus } from "../../src/billing/connector-calls/connector-plan.js";

describe("a provider call's rules (pure)", () => {
  it("plans each event against the call's state", () => {
    expect(planConnectorEvent(undefined, "started")).toEqual({ kind: "authorize", answered: false });
    expect(planConnectorEvent(undefined, "answered")).toEqual({ kind: "authorize", answered: true });
    expect(planConnectorEvent(undefined, "ended")).toEqual({ kind: "bill_final", record: true });
    expect(planConnectorEvent("started", "answered")).toEqual({ kind: "answer" });
    expect(planConnectorEvent("started", "ended")).toEqual({ kind: "bill_final", record: false });
    expect(planConnectorEvent("answered", "ended")).toEqual({ kind: "bill_final", record: false });
    expect(planConnectorEvent("refused", "ended")).toEqual({ kind: "bill_final", record: false });
    expect(planConnectorEvent("answered", "started").kind).toBe("nothing");
    expect(planConnectorEvent("refused", "answered").kind).toBe("nothing");
  });

  it("never bills or authorises anything after the end", () => {
    fc.assert(
      fc.property(fc.constantFrom("started", "answered", "ended") as fc.Arbitrary<"started" | "answered" | "ended">, (kind) => {
        expect(planConnectorEvent("ended", kind).kind).toBe("nothing");
      }),
    );
  });

  it("bills the final seconds at most once per call, whatever the order of its events", () => {
    const kinds = ["started", "answered", "ended"] as const;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 12 }), (events) => {
        let status: ConnectorCallStatus | undefined;
        let bills = 0;
        for (const kind of events) {
          const plan = planConnectorEvent(status, kind);
          if (plan.kind === "bill_final") {
            bills += 1;
            status = "ended";
          } else if (plan.kind === "authorize") status = plan.answered ? "answered" : "started";
          else if (plan.kind === "answer") status = "answered";
        }
        expect(bills).toBe(events.includes("ended") ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });

  it("meters a tick behind the provider's answer, never below zero", () => {
    const answered = new Date("2026-12-07T20:00:00Z");
    expect(meteredSeconds(answered, new Date("2026-12-07T20:00:20.900Z"), 15_000)).toBe(5);
    expect(meteredSeconds(answered, new Date("2026-12-07T20:00:10Z"), 15_000)).toBe(0);
    expect(meteredSeconds(answered, new Date("2026-12-07T20:00:01Z"), 1_000)).toBe(0);
  });

  it("wraps up within a minute of real credit and hangs up when it is gone, counting the tick not yet billed", () => {
    // 15 s ticks: the reading lags 15 s, so 75 s of answer are 60 s of credit really left.
    expect(planAfterTick({ action: "continue", secondsRemaining: 76 }, 15_000)).toEqual({ wrapUp: false, hangUp: false });
    expect(planAfterTick({ action: "continue", secondsRemaining: 75 }, 15_000)).toEqual({ wrapUp: true, hangUp: false });
    expect(planAfterTick({ action: "wrap_up", secondsRemaining: 16 }, 15_000)).toEqual({ wrapUp: true, hangUp: false });
    expect(planAfterTick({ action: "wrap_up", secondsRemaining: 15 }, 15_000)).toEqual({ wrapUp: true, hangUp: true });
    expect(planAfterTick({ action: "end_call", secondsRemaining: 0 }, 1_000)).toEqual({ wrapUp: true, hangUp: true });
  });

  it("credits back only what ticks billed beyond the provider's count", () => {
    expect(overshootSeconds(95, 93)).toBe(2);
    expect(overshootSeconds(80, 93)).toBe(0);
  });
});
