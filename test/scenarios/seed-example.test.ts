import { describe, expect, it } from "vitest";
import {
  accountWith,
  addCard,
  CARDS,
  getAccount,
  notifications,
  providerCharges,
  recharges,
  reportUsage,
  saveAutoRecharge,
  settled,
  startCall,
  useScenarioApp,
} from "../support/scenario.js";

const app = useScenarioApp();

describe("the help article's example: threshold $10, amount $50", () => {
  it("charges exactly once when calls take a $12 balance to $9.84, and sends a receipt", async () => {
    const account = await accountWith(app, { balance: "12.00" });
    await addCard(app, account, CARDS.visa);
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ enabled: true, threshold: "10.00", amount: "50.00", state: "idle", triggered_recharge: null });

    // $0.18/min without the widget: 12 minutes cost $2.16, reported minute by minute.
    const call = await startCall(app, account);
    expect(call.status).toBe(201);
    expect(call.body.rate_per_minute).toBe("0.18");
    let last;
    for (let seconds = 60; seconds <= 720; seconds += 60) last = await reportUsage(app, account, call.body.call_id, seconds);
    expect(last?.call_total).toBe("2.16");

    const list = await settled(app, account);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ trigger: "auto", amount: "50.00", status: "succeeded", attempts: 1 });
    expect((await getAccount(app, account)).balance).toBe("59.84");
    expect(await providerCharges(app, account.id)).toHaveLength(1);

    const feed = await notifications(app, account);
    const receipts = feed.filter((n) => n.type === "recharge.succeeded");
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.message).toContain("$50.00 charged to Visa •••• 4242");
    expect(receipts[0]!.message).toContain("New balance $59.84");
  });

  it("keeps charging once per crossing: more usage above the threshold charges nothing more", async () => {
    const account = await accountWith(app, { balance: "12.00" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    const call = await startCall(app, account);
    await reportUsage(app, account, call.body.call_id, 720);
    await settled(app, account);
    await reportUsage(app, account, call.body.call_id, 1_200); // $59.84 − $1.44: still above $10
    expect(await recharges(app, account)).toHaveLength(1);
    expect((await getAccount(app, account)).balance).toBe("58.40");
  });
});
