import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountWith, useScenarioApp, waitFor } from "../support/scenario.js";
import type { FakeCall } from "../support/voice/fake-provider.js";
import { FakeTwilio } from "../support/voice/fake-twilio.js";

// A provider whose API takes 6 s to answer a hang-up must not hold back the other calls' hang-ups.
const twilio = new FakeTwilio();
const env: Record<string, string> = { PREPAID_CONNECTOR_TICK: "1s" };
beforeAll(async () => {
  await twilio.start();
  Object.assign(env, twilio.env());
});
const app = useScenarioApp(env);
beforeAll(() => {
  twilio.prepaidUrl = app.server.url;
});
afterAll(() => twilio.stop());

describe("a slow provider API", () => {
  it("gets the hang-ups of calls whose credit ran out in the same tick side by side, not one after another", async () => {
    twilio.hangUpDelayMs = 6_000;
    // Three accounts of $0.30 (100 s each), their calls answered 105 s ago: all out of credit at the first tick.
    const calls: FakeCall[] = [];
    for (let i = 0; i < 3; i++) {
      const account = await accountWith(app, { balance: "0.30" });
      const call = twilio.dial(account.id);
      await twilio.ring(call);
      calls.push(call);
    }
    const answeredAt = new Date(Date.now() - 105_000);
    await Promise.all(calls.map((call) => twilio.answer(call, answeredAt)));
    await waitFor("every hang-up asked", async () => (calls.every((c) => twilio.hangUps.includes(c.id)) ? true : undefined), 20_000);
    const spread = Math.max(...twilio.hangUpTimes) - Math.min(...twilio.hangUpTimes);
    // One after another they would be 6 s apart each; side by side, within a tick or two.
    expect(spread).toBeLessThan(3_000);
    twilio.hangUpDelayMs = 0;
  }, 40_000);
});
