import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectorTicker } from "../../src/billing/connector-calls/connector-ticker.js";
import { accountWith, expectLedgerVerified } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import type { FakeCall } from "../support/voice/fake-provider.js";
import { FakeTwilio } from "../support/voice/fake-twilio.js";

// A provider whose API takes 6 s to answer a hang-up must not hold back the other calls' hang-ups.
// The test drives one ticker pass itself (no workers): with the service's own ticker, calls
// answered a moment apart could fall into two passes, and a pass waits for its provider requests.
const twilio = new FakeTwilio();
let app: TestApp;
beforeAll(async () => {
  await twilio.start();
  app = await startTestApp({ PREPAID_CONNECTOR_TICK: "1s", ...twilio.env() }, { worker: false });
  twilio.prepaidUrl = app.server.url;
});
afterAll(async () => {
  await expectLedgerVerified(app);
  await app.close();
  await twilio.stop();
});

describe("a slow provider API", () => {
  it("gets the hang-ups of calls whose credit ran out in the same tick side by side, not one after another", async () => {
    twilio.hangUpDelayMs = 6_000;
    // Three accounts of $0.30 (100 s each), their calls answered 105 s ago: all out of credit at the first tick.
    const calls: FakeCall[] = [];
    const answeredAt = new Date(Date.now() - 105_000);
    for (let i = 0; i < 3; i++) {
      const account = await accountWith(app, { balance: "0.30" });
      const call = twilio.dial(account.id);
      await twilio.ring(call);
      expect((await twilio.answer(call, answeredAt)).status).toBe(200);
      calls.push(call);
    }
    const ticker = new ConnectorTicker(app.deps.db, app.config, app.deps.usageWriter, app.deps.connectors, () => new Date());
    await ticker.runOnce();
    expect(calls.every((c) => twilio.hangUps.includes(c.id))).toBe(true);
    const spread = Math.max(...twilio.hangUpTimes) - Math.min(...twilio.hangUpTimes);
    // One after another they would be 6 s apart each; side by side, within moments.
    expect(spread).toBeLessThan(3_000);
    twilio.hangUpDelayMs = 0;
  }, 40_000);
});
