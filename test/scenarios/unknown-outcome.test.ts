import { describe, expect, it } from "vitest";
import {
  accountWith,
  addCard,
  CARDS,
  expectLedgerVerified,
  getAccount,
  providerCharges,
  reportUsage,
  saveAutoRecharge,
  settled,
  startCall,
  useScenarioApp,
  waitFor,
} from "../support/scenario.js";

// The provider takes 1.5 s; we wait 0.4 s for it, and retry once after 0.2 s. Both tries end
// with no answer, yet the first one charges the card at 1.5 s.
const app = useScenarioApp({
  PREPAID_SANDBOX_DELAY_MS: "1500",
  PREPAID_GATEWAY_TIMEOUT_MS: "400",
  PREPAID_RETRY_DELAYS: "200ms",
  PREPAID_RECONCILE_INTERVAL: "200ms",
});

describe("a charge whose last try ends with no answer from the provider", () => {
  it("stays open, is looked up until the provider says, and is credited once", async () => {
    const account = await accountWith(app, { balance: "10.10" });
    await addCard(app, account, CARDS.visa);
    expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "20" })).status).toBe(200);
    const call = await startCall(app, account);
    expect(call.status).toBe(201);
    await reportUsage(app, account, call.body.call_id, 60); // $0.18: 10.10 → 9.92, below the threshold

    // While the provider has not said, /metrics counts the charge as unresolved.
    const unresolved = await waitFor("the charge to be unresolved on /metrics", async () => {
      const metrics = await app.request("GET", "/metrics");
      return /^prepaid_charges_outcome_unknown 1$/m.test(metrics.body) ? metrics.body : undefined;
    }, 5_000);
    expect(unresolved).toMatch(/^prepaid_charge_outcome_unknown_oldest_age_seconds \d+\.\d{3}$/m);

    const list = await settled(app, account);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ trigger: "auto", amount: "20.00", status: "succeeded" });
    const charges = await providerCharges(app, account.id);
    expect(charges.filter((c) => c.status === "succeeded")).toHaveLength(1);
    const after = await getAccount(app, account);
    expect(after.balance).toBe("29.92");
    expect(after.auto_recharge.state).toBe("idle");
    await expectLedgerVerified(app);
  });

  it("leaves nothing unresolved on /metrics once settled", async () => {
    const metrics = await app.request("GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^prepaid_charges_outcome_unknown 0$/m);
    expect(metrics.body).toMatch(/^prepaid_charge_outcome_unknown_oldest_age_seconds 0\.000$/m);
  });
});
