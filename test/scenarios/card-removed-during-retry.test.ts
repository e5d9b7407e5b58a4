import { describe, expect, it } from "vitest";
import {
  accountWith,
  addCard,
  CARDS,
  getAccount,
  notifications,
  providerCharges,
  saveAutoRecharge,
  settled,
  useScenarioApp,
  waitFor,
} from "../support/scenario.js";

// Long enough that the user removes the card while the recharge waits for its retry.
const app = useScenarioApp({ PREPAID_RETRY_DELAYS: "3s,3s" });

describe("a card removed while its recharge waits for a retry", () => {
  it("is never charged again: the recharge ends payment_method_removed and the new default card is charged", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    const soft = await addCard(app, account, CARDS.processingError, true);
    const visa = await addCard(app, account, CARDS.visa);
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "20" });
    const first = saved.body.triggered_recharge.id as string;
    // The first try fails softly; the recharge waits pending for its retry.
    await waitFor("the first try", async () => {
      const charges = await providerCharges(app, account.id);
      return charges.some((c) => c.idempotency_key === first && c.attempts === 1 && c.status === "failed") ? true : undefined;
    });
    const removed = await app.request("DELETE", `/v1/accounts/${account.id}/payment-methods/${soft.id}`, { key: account.key });
    expect(removed.status).toBe(200);

    const list = await settled(app, account);
    expect(list.find((r) => r.id === first)).toMatchObject({ status: "failed", failure_code: "payment_method_removed" });
    // The removed card's key was tried once, before the removal, never after.
    const charges = await providerCharges(app, account.id);
    expect(charges.find((c) => c.idempotency_key === first)).toMatchObject({ attempts: 1, status: "failed" });
    // The rules looked again after it ended: the new default card topped the wallet up.
    const next = list.find((r) => r.id !== first);
    expect(next).toMatchObject({ trigger: "auto", amount: "20.00", status: "succeeded" });
    const recharges = await app.request("GET", `/v1/accounts/${account.id}/recharges`, { key: account.key });
    expect(recharges.body.data.find((r: { id: string }) => r.id === next!.id).payment_method_id).toBe(visa.id);
    const after = await getAccount(app, account);
    expect(after.balance).toBe("25.00");
    expect(after.auto_recharge.state).toBe("idle");
    expect(after.status).toBe("active");
    const failed = (await notifications(app, account)).filter((n) => n.type === "recharge.failed");
    expect(failed.map((n) => n.data.failure_code)).toEqual(["payment_method_removed"]);
  });
});
