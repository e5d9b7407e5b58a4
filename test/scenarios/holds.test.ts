import { describe, expect, it } from "vitest";
import { accountWith, addCard, getAccount, recharges, saveAutoRecharge, settled, startCall, useScenarioApp } from "../support/scenario.js";
import type { TestApp } from "../support/test-app.js";

// docs/concepts.md Holds and Concurrency: a running call holds a minute of credit at its rate
// (PREPAID_CALL_HOLD_SECONDS, 60 by default), so calls starting together never spend the same
// credit; the operator caps how many run at once.

type Account = { id: string; key: string };

/** `n` starts at once; returns the answers in order. */
async function startMany(app: TestApp, account: Account, n: number, prefix: string) {
  return Promise.all(Array.from({ length: n }, (_, i) => startCall(app, account, `${prefix}-${i}`)));
}

function endCall(app: TestApp, account: Account, callId: string, elapsedSeconds: number) {
  return app.request("POST", `/v1/calls/${callId}/end`, { key: account.key, body: { elapsed_seconds: elapsedSeconds } });
}

function report(app: TestApp, account: Account, callId: string, elapsedSeconds: number) {
  return app.request("POST", `/v1/calls/${callId}/usage`, { key: account.key, body: { elapsed_seconds: elapsedSeconds } });
}

describe("holds at call start", () => {
  // Charges take 2 s here, so a recharge is still in flight while starts are authorised.
  const app = useScenarioApp({ PREPAID_SANDBOX_DELAY_MS: "2000" });

  it("authorises exactly 10 of 50 simultaneous starts on $1.60 at $0.16/min; ending one lets exactly one more start", async () => {
    const account = await accountWith(app, { balance: "1.60", webWidget: true });
    const answers = await startMany(app, account, 50, "dialer");
    const authorised = answers.filter((r) => r.status === 201);
    expect(authorised).toHaveLength(10);
    const refused = answers.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 402 && r.body.error.code === "insufficient_credit")).toBe(true);
    // The first start saw all $1.60 unheld (600 s); every start was told what its share pays for.
    expect(authorised.map((r) => r.body.max_seconds).sort((a, b) => b - a)).toEqual([600, 540, 480, 420, 360, 300, 240, 180, 120, 60]);
    expect(await getAccount(app, account)).toMatchObject({ balance: "1.60", active_calls: 10, held: "1.60" });

    // A start of a call that runs already answers that call again: no second hold.
    const again = await startCall(app, account, authorised[0]!.body.call_id);
    expect(again.status).toBe(201);
    expect(again.body.call_id).toBe(authorised[0]!.body.call_id);

    // One call ends after 30 s ($0.08): its hold goes back, and exactly one of 5 new starts fits.
    expect((await endCall(app, account, authorised[0]!.body.call_id, 30)).status).toBe(200);
    expect(await getAccount(app, account)).toMatchObject({ balance: "1.52", active_calls: 9, held: "1.44" });
    const more = await startMany(app, account, 5, "redial");
    expect(more.filter((r) => r.status === 201)).toHaveLength(0);
    // $1.52 − 9 × $0.16 = $0.08: not a minute. A second call ending frees its hold too.
    expect((await endCall(app, account, authorised[1]!.body.call_id, 0)).status).toBe(200);
    const last = await startMany(app, account, 5, "redial-2");
    expect(last.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await getAccount(app, account)).toMatchObject({ active_calls: 9, held: "1.44" });
  });

  it("counts a recharge in flight: $0.32 and a $5 charge on its way authorise 33 calls", async () => {
    const slow = await accountWith(app, { balance: "0.32", webWidget: true });
    await addCard(app, slow, "4242424242424242", true);
    // Saving below the threshold starts a $5 charge (threshold sync) that takes 2 s.
    const saved = await saveAutoRecharge(app, slow, { enabled: true, threshold: "5.00", amount: "5.00" });
    expect(saved.status).toBe(200);
    expect(saved.body.triggered_recharge).toMatchObject({ amount: "5.00" });
    const answers = await startMany(app, slow, 50, "campaign");
    expect((await recharges(app, slow)).map((r) => r.status)).toEqual([expect.stringMatching(/^(pending|processing)$/)]);
    // The $5 on its way counts: $5.32 holds 33 minutes at $0.16.
    expect(answers.filter((r) => r.status === 201)).toHaveLength(33);
    await settled(app, slow);
    expect((await recharges(app, slow)).map((r) => r.status)).toEqual(["succeeded"]);
    // Credited, it counts once: nothing more starts.
    expect((await startCall(app, slow, "campaign-after")).status).toBe(402);
    expect(await getAccount(app, slow)).toMatchObject({ balance: "5.32", active_calls: 33, held: "5.28" });
  });
});

describe("concurrency limit", () => {
  const app = useScenarioApp();

  it("refuses the third call with 429 {used: 2, limit: 2} and frees the slot when one ends", async () => {
    const account = await accountWith(app, { balance: "50.00" });
    // Only the operator sets the limit.
    const byOwner = await app.request("PATCH", `/v1/accounts/${account.id}`, { key: account.key, body: { max_concurrent_calls: 2 } });
    expect(byOwner.status).toBe(403);
    const set = await app.request("PATCH", `/v1/accounts/${account.id}`, { key: app.adminKey, body: { max_concurrent_calls: 2 } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ max_concurrent_calls: 2, active_calls: 0 });

    // Three at once: which two get the slots is the order they reach the wallet's lock.
    const starts = await startMany(app, account, 3, "slot");
    expect(starts.map((r) => r.status).sort()).toEqual([201, 201, 429]);
    expect(starts.find((r) => r.status === 429)!.body.error).toMatchObject({ code: "concurrency_limited", used: 2, limit: 2 });

    expect((await endCall(app, account, starts.find((r) => r.status === 201)!.body.call_id, 12)).status).toBe(200);
    const d = await startCall(app, account, "slot-3");
    expect(d.status).toBe(201);
    expect((await startCall(app, account, "slot-4")).status).toBe(429);

    // Unlimited again: null.
    const cleared = await app.request("PATCH", `/v1/accounts/${account.id}`, { key: app.adminKey, body: { max_concurrent_calls: null } });
    expect(cleared.body).toMatchObject({ max_concurrent_calls: null });
    expect((await startCall(app, account, "slot-5")).status).toBe(201);
    const audit = await app.request("GET", `/v1/accounts/${account.id}/audit-log`, { key: account.key });
    expect(audit.body.data.filter((e: { action: string }) => e.action === "account.updated").map((e: { changes: unknown }) => e.changes)).toEqual([
      { max_concurrent_calls: ["2", null] },
      { max_concurrent_calls: [null, "2"] },
    ]);
  });
});

describe("wrap-up and extension", () => {
  const app = useScenarioApp();

  it("says wrap_up exactly when 60 s or less remain, and more seconds after a recharge lands", async () => {
    const account = await accountWith(app, { balance: "0.50", webWidget: true });
    const call = await startCall(app, account, "agent-1");
    expect(call.status).toBe(201);
    expect(call.body.max_seconds).toBe(187);
    // $0.50 − cost(126 s) = $0.164000: 61.5 s left at $0.16.
    expect((await report(app, account, "agent-1", 126)).body).toMatchObject({ seconds_remaining: 61, action: "continue" });
    // One second more: $0.161333, 60.5 s.
    expect((await report(app, account, "agent-1", 127)).body).toMatchObject({ seconds_remaining: 60, action: "wrap_up" });

    await addCard(app, account, "4242424242424242", true);
    expect((await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "5.00" } })).status).toBe(201);
    await settled(app, account);
    const after = await report(app, account, "agent-1", 128);
    expect(after.body).toMatchObject({ action: "continue" });
    expect(after.body.seconds_remaining).toBeGreaterThan(1_900);

    // Nothing left: end_call, with 0 seconds.
    const drained = await report(app, account, "agent-1", 2_100);
    expect(drained.body).toMatchObject({ seconds_remaining: 0, action: "end_call" });
  });

  it("tells each of several calls how long the wallet lasts at all their rates", async () => {
    const account = await accountWith(app, { balance: "3.20", webWidget: true });
    const calls = await startMany(app, account, 2, "pair");
    expect(calls.map((c) => c.status)).toEqual([201, 201]);
    // $3.20 at 2 × $0.16/min: 600 s for the pair, not 1 200 s each.
    expect((await report(app, account, "pair-0", 0)).body).toMatchObject({ seconds_remaining: 600, action: "continue" });
    expect((await endCall(app, account, "pair-1", 0)).body).toMatchObject({ seconds_remaining: 0, action: "end_call" });
    expect((await report(app, account, "pair-0", 0)).body).toMatchObject({ seconds_remaining: 1_200 });
  });
});

describe("idle timeout", () => {
  const app = useScenarioApp({ PREPAID_CALL_IDLE_TIMEOUT: "2s" });

  it("ends a silent call at its last reported seconds, releases its hold and slot, and still bills a late report once", async () => {
    const account = await accountWith(app, { balance: "10.00", webWidget: true });
    expect((await startCall(app, account, "silent")).status).toBe(201);
    expect((await startCall(app, account, "talking")).status).toBe(201);
    expect((await report(app, account, "silent", 30)).body).toMatchObject({ amount: "0.08" });
    // "talking" keeps reporting; "silent" stops.
    const deadline = Date.now() + 6_000;
    let seconds = 0;
    while (Date.now() < deadline) {
      seconds += 1;
      expect((await report(app, account, "talking", seconds)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
    }
    const list = await app.request("GET", `/v1/accounts/${account.id}/calls`, { key: account.key });
    const byId = new Map(list.body.data.map((c: { id: string }) => [c.id, c]));
    expect(byId.get("silent")).toMatchObject({ status: "ended", billed_seconds: 30, amount: "0.08", ended_by: "idle_timeout" });
    expect(byId.get("talking")).toMatchObject({ status: "active", ended_by: null });
    expect(await getAccount(app, account)).toMatchObject({ active_calls: 1, held: "0.16" });

    // A report after the timeout: the 15 s it adds are billed once, and the agent is told to hang up.
    const late = await report(app, account, "silent", 45);
    expect(late.body).toMatchObject({ billed_seconds: 45, amount: "0.04", action: "end_call", seconds_remaining: 0 });
    expect((await report(app, account, "silent", 45)).body).toMatchObject({ amount: "0.00" });
    expect((await endCall(app, account, "silent", 45)).body).toMatchObject({ amount: "0.00", call_total: "0.12" });
    // Its hold and slot went back once: ending it again did not release them twice.
    expect(await getAccount(app, account)).toMatchObject({ active_calls: 1, held: "0.16" });
  }, 30_000);
});
