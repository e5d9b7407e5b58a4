import { describe, expect, it } from "vitest";
import {
  accountWith,
  addCard,
  CARDS,
  getAccount,
  providerCharges,
  recharges,
  reportUsage,
  saveAutoRecharge,
  settled,
  startCall,
  waitFor,
  useScenarioApp,
} from "../support/scenario.js";

const app = useScenarioApp({ PREPAID_SANDBOX_DELAY_MS: "800" });

describe("disabling Auto-Recharge while a charge is in flight", () => {
  it("lets that charge settle and credit once, and starts no new recharge after", async () => {
    const account = await accountWith(app, { balance: "12.00" });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    const call = await startCall(app, account);
    await reportUsage(app, account, call.body.call_id, 720);
    await waitFor("the charge to be at the provider", async () =>
      (await recharges(app, account)).some((r) => r.status === "processing") ? true : undefined,
    );

    const off = await saveAutoRecharge(app, account, { enabled: false });
    expect(off.body).toMatchObject({ enabled: false, state: "recharging" });

    const list = await settled(app, account);
    expect(list.map((r) => [r.status, r.amount])).toEqual([["succeeded", "50.00"]]);
    expect((await getAccount(app, account)).balance).toBe("59.84");

    // Far below the threshold now, and nothing is charged: it is off.
    await reportUsage(app, account, call.body.call_id, 720 + 60 * 300); // $54 more
    expect((await getAccount(app, account)).balance).toBe("5.84");
    await new Promise((r) => setTimeout(r, 300));
    expect(await recharges(app, account)).toHaveLength(1);
    expect(await providerCharges(app, account.id)).toHaveLength(1);
    const state = await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key });
    expect(state.body.state).toBe("off");
  });
});
