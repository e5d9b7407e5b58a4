import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCallEvent } from "../../src/billing/connector-calls/connector-events.js";
import { ConnectorTicker } from "../../src/billing/connector-calls/connector-ticker.js";
import { UsageWriter, type UsageEvent, type WriteOutcome } from "../../src/billing/usage/usage-writer.js";
import { queryRows } from "../../src/db/database.js";
import { accountWith, expectLedgerVerified } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PREPAID_CONNECTOR_TICK: "1s" }, { worker: false });
});
afterAll(async () => {
  await expectLedgerVerified(app);
  await app.close();
});

/**
 * The usage writer, with the provider's end event committed between the ticker's read of the
 * running calls and its report: the race two processes (or a slow tick) run into.
 */
class EndFirstWriter extends UsageWriter {
  before: (() => Promise<void>) | undefined;
  override async submit(events: UsageEvent[]): Promise<WriteOutcome> {
    await this.before?.();
    return super.submit(events);
  }
}

describe("a tick that lands after the call's end event", () => {
  it("bills nothing, and neither warns nor hangs up: the call has ended, not run out of credit", async () => {
    const account = await accountWith(app, { balance: "10.00" });
    const base = { providerCallId: "CArace1", accountId: account.id };
    const answeredAt = new Date(Date.now() - 30_000);
    await applyCallEvent(app.deps.db, app.config, app.deps.usageWriter, "twilio", { ...base, eventKey: "CArace1:in-progress", kind: "answered", at: answeredAt, answeredAt });

    const writer = new EndFirstWriter(app.deps.db, app.config, () => new Date());
    writer.before = async () => {
      writer.before = undefined;
      await applyCallEvent(app.deps.db, app.config, app.deps.usageWriter, "twilio", { ...base, eventKey: "CArace1:completed", kind: "ended", at: new Date(), durationSeconds: 25 });
    };
    const ticker = new ConnectorTicker(app.deps.db, app.config, writer, new Map(), () => new Date());
    await ticker.runOnce();

    expect(writer.before).toBeUndefined(); // the tick did read the call while it ran
    const [state] = await queryRows<{ billed_seconds: number; wrap_up_sent_at: unknown; hangup_requested_at: unknown; wrap_ups: bigint }>(
      app.deps.db,
      sql`select c.billed_seconds, cc.wrap_up_sent_at, cc.hangup_requested_at,
                 (select count(*) from notifications where type = 'call.wrap_up' and account_id = ${account.id}) as wrap_ups
          from calls c join connector_calls cc on cc.call_id = c.id where c.id = 'twilio-CArace1'`,
    );
    expect(state).toEqual({ billed_seconds: 25, wrap_up_sent_at: null, hangup_requested_at: null, wrap_ups: 0n });
  });
});
