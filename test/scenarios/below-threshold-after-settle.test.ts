import { describe, expect, it } from "vitest";
import {
  accountWith,
  addCard,
  CARDS,
  getAccount,
  reportUsage,
  saveAutoRecharge,
  settled,
  startCall,
  useScenarioApp,
} from "../support/scenario.js";

// The provider takes 1.5 s: usage runs on while the first charge is at the provider.
const app = useScenarioApp({ PREPAID_SANDBOX_DELAY_MS: "1500" });

describe("a wallet still below its threshold when a charge settles", () => {
  it("is topped up again at once, and calls are authorised", async () => {
    const account = await accountWith(app, { balance: "10.10" });
    await addCard(app, account, CARDS.visa);
    expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "5" })).status).toBe(200);
    const call = await startCall(app, account);
    expect(call.status).toBe(201);
    await reportUsage(app, account, call.body.call_id, 60); // 9.92: a $5 charge starts
    await reportUsage(app, account, call.body.call_id, 7200); // $21.60 in all: 10.10 − 21.60 = −11.50

    const list = await settled(app, account);
    // −11.50 + 5 = −6.50 after the first; the second is the smallest multiple of 5 that lifts
    // −6.50 to the threshold: $20 → 13.50.
    expect(list.map((r) => [r.trigger, r.amount, r.status]).reverse()).toEqual([
      ["auto", "5.00", "succeeded"],
      ["auto", "20.00", "succeeded"],
    ]);
    const after = await getAccount(app, account);
    expect(after.balance).toBe("13.50");
    expect(after.auto_recharge.state).toBe("idle");
    expect((await startCall(app, account)).status).toBe(201);
  });

  it("is topped up when the threshold was raised while a charge was in flight", async () => {
    const account = await accountWith(app, { balance: "10.10" });
    await addCard(app, account, CARDS.visa);
    expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "5" })).status).toBe(200);
    const call = await startCall(app, account);
    await reportUsage(app, account, call.body.call_id, 60); // 9.92: a $5 charge starts
    const raised = await saveAutoRecharge(app, account, { threshold: "30" });
    expect(raised.status).toBe(200);
    expect(raised.body.triggered_recharge).toBeNull(); // one in flight already

    const list = await settled(app, account);
    // 9.92 + 5 = 14.92, still below 30: the next is the smallest multiple of 5 reaching 30, $20.
    expect(list.map((r) => [r.amount, r.status]).reverse()).toEqual([
      ["5.00", "succeeded"],
      ["20.00", "succeeded"],
    ]);
    expect((await getAccount(app, account)).balance).toBe("34.92");
  });
});
