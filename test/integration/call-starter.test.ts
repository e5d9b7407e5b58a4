import { describe, expect, it } from "vitest";
import { AppError } from "../../src/errors/app-error.js";
import { accountWith, addCard, CARDS, getAccount, saveAutoRecharge, settled, useScenarioApp } from "../support/scenario.js";

const app = useScenarioApp();

const outcome = (p: Promise<{ call: { id: string; accountId: string; ratePerMinuteMicros: bigint } }>) =>
  p.then(
    ({ call }) => ({ ok: call.id, account: call.accountId, rate: call.ratePerMinuteMicros }),
    (e: unknown) => ({ error: e instanceof AppError ? e.code : String(e) }),
  );

describe("call authorisation in one statement for many starts", () => {
  it("answers each start as it would alone: inserted, retried, refused with the reason", async () => {
    const funded = await accountWith(app, { balance: "10.00", webWidget: true });
    const poor = await accountWith(app, { balance: "0.10" });
    const paused = await accountWith(app, { balance: "0.10" });
    await addCard(app, paused, CARDS.declined);
    await saveAutoRecharge(app, paused, { enabled: true, threshold: "5", amount: "10" });
    await settled(app, paused);
    expect((await getAccount(app, paused)).status).toBe("paused");
    const other = await accountWith(app, { balance: "10.00" });
    const starter = app.deps.callStarter;
    await starter.start(other.id, "call_taken_by_other");

    const before = { ...starter.stats };
    // Submitted in one tick: they share a batch.
    const results = await Promise.all([
      outcome(starter.start(funded.id, undefined)),
      outcome(starter.start(funded.id, "call_twice")),
      outcome(starter.start(funded.id, "call_twice")),
      outcome(starter.start(poor.id, undefined)),
      outcome(starter.start(paused.id, undefined)),
      outcome(starter.start(funded.id, "call_taken_by_other")),
      outcome(starter.start("acct_missing", undefined)),
    ]);
    expect(results[0]).toMatchObject({ account: funded.id, rate: 160_000n });
    expect(results[1]).toEqual({ ok: "call_twice", account: funded.id, rate: 160_000n });
    expect(results[2]).toEqual(results[1]); // a retried start answers the same call
    expect(results.slice(3)).toEqual([
      { error: "insufficient_credit" },
      { error: "account_paused" },
      { error: "invalid_request" },
      { error: "not_found" },
    ]);
    expect(starter.stats.starts - before.starts).toBe(7);
    expect(starter.stats.batches - before.batches).toBe(1);
  });
});
