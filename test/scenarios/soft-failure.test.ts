import { describe, expect, it } from "vitest";
import {
  accountWith,
  addCard,
  CARDS,
  notifications,
  providerCharges,
  saveAutoRecharge,
  settled,
  useScenarioApp,
} from "../support/scenario.js";

const app = useScenarioApp({ PREPAID_RETRY_DELAYS: "200ms,400ms,600ms" });

describe("a soft failure (processing_error)", () => {
  it("is retried on schedule with the same key, and counts as failed once the retries run out", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    await addCard(app, account, CARDS.processingError);
    const started = Date.now();
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    const rechargeId = saved.body.triggered_recharge.id;

    // Between tries the recharge waits, pending, with the last failure recorded.
    const waiting = await settled(app, account, 100).catch(() => undefined);
    expect(waiting).toBeUndefined();

    const list = await settled(app, account);
    const elapsedMs = Date.now() - started;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: rechargeId, status: "failed", failure_code: "processing_error", attempts: 4 });
    expect(elapsedMs).toBeGreaterThanOrEqual(200 + 400 + 600);
    // The provider saw one key, tried four times.
    expect(await providerCharges(app, account.id)).toEqual([
      { idempotency_key: rechargeId, status: "failed", attempts: 4, amount_micros: 50_000_000n },
    ]);
    const failures = (await notifications(app, account)).filter((n) => n.type === "recharge.failed");
    expect(failures).toHaveLength(1);
    const state = await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key });
    expect(state.body.state).toBe("failing");
  });
});
