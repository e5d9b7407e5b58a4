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
      // Another account's call is, to this account, no call at all (issue 27, item 11).
      { error: "not_found" },
      { error: "not_found" },
    ]);
    expect(starter.stats.starts - before.starts).toBe(7);
    expect(starter.stats.batches - before.batches).toBe(1);
  });

  // Issue 27, item 11: a foreign call id answers as an unknown object (404, not a 400 that
  // tells it exists), and an ended call is not started again.
  it("over HTTP: another account's call id is 404 like any other tenant's object; restarting an ended call answers it ended, with no time", async () => {
    const mine = await accountWith(app, { balance: "10.00", webWidget: true });
    const theirs = await accountWith(app, { balance: "10.00" });
    const start = (account: { id: string; key: string }, callId: string) =>
      app.request("POST", "/v1/calls", { key: account.key, body: { account_id: account.id, call_id: callId } });
    expect((await start(theirs, "call-probe-target")).status).toBe(201);
    const probe = await start(mine, "call-probe-target");
    expect(probe.status).toBe(404);
    expect(probe.body.error).toMatchObject({ code: "not_found", message: "call not found" });
    // With an Idempotency-Key (its own transaction): the same answer.
    const keyed = await app.request("POST", "/v1/calls", { key: mine.key, body: { account_id: mine.id, call_id: "call-probe-target" }, headers: { "Idempotency-Key": "probe-1" } });
    expect(keyed.status).toBe(404);

    expect((await start(mine, "call-ended-once")).status).toBe(201);
    expect((await app.request("POST", "/v1/calls/call-ended-once/end", { key: mine.key, body: { elapsed_seconds: 30 } })).status).toBe(200);
    const again = await start(mine, "call-ended-once");
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ call_id: "call-ended-once", status: "ended", max_seconds: 0 });
    expect((await getAccount(app, mine)).balance).toBe("9.92");
  });
});
