import { describe, expect, it } from "vitest";
import { runAgentCall } from "../../examples/voice-agent/agent.js";
import { accountWith, getAccount, useScenarioApp } from "../support/scenario.js";

// Issue 29, item 5: examples/voice-agent runs the loop of docs/voice-agents.md through the SDK,
// against the real server. Figures by hand: $1.00 at $0.16/min lasts 375 s. At 300 s $0.20 is
// left (75 s: continue); at 315 s $0.16 (60 s: wrap_up); at 375 s nothing (end_call).
const app = useScenarioApp();

describe("the voice-agent example", () => {
  it("continues, wraps up with 60 s left, hangs up on end_call, and ends the call", async () => {
    const account = await accountWith(app, { balance: "1.00", webWidget: true });
    const said: string[] = [];
    const outcome = await runAgentCall({ baseUrl: app.server.url, apiKey: account.key, accountId: account.id, callId: "call-example-1", plannedSeconds: 900, msPerSecond: 0, say: (l) => said.push(l) });
    expect(outcome.ending).toBe("hung up: end_call");
    expect(outcome.billedSeconds).toBe(375);
    const actions = outcome.reports.map(([seconds, action]) => `${seconds}:${action}`);
    expect(actions.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `${(i + 1) * 15}:continue`));
    expect(actions.slice(20)).toEqual(["315:wrap_up", "330:wrap_up", "345:wrap_up", "360:wrap_up", "375:end_call"]);
    expect(said).toContain("We're nearly out of time (60 s) — let me summarise before we finish.");
    const after = await getAccount(app, account);
    expect(after).toMatchObject({ balance: "0.00", active_calls: 0, held: "0.00" });
  });

  it("is refused before connecting when the credit does not cover a call's hold", async () => {
    const account = await accountWith(app, { balance: "0.10", webWidget: true });
    const outcome = await runAgentCall({ baseUrl: app.server.url, apiKey: account.key, accountId: account.id, callId: "call-example-2", plannedSeconds: 60, msPerSecond: 0 });
    expect(outcome).toEqual({ ending: "refused: insufficient_credit", billedSeconds: 0, reports: [] });
  });
});
