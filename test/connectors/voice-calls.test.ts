import { describe, expect, it } from "vitest";
import { formatMicros } from "../../src/money/micros.js";
import type { TestApp } from "../support/test-app.js";
import { accountWith, addCard, CARDS, getAccount, notifications, recharges, saveAutoRecharge, waitFor } from "../support/scenario.js";
import type { FakeCall, FakeVoiceProvider } from "../support/voice/fake-provider.js";
import { FakeRetell } from "../support/voice/fake-retell.js";
import { FakeTwilio } from "../support/voice/fake-twilio.js";
import { useVoiceApp } from "../support/voice/use-voice-app.js";
import { FakeVapi } from "../support/voice/fake-vapi.js";

// $0.18 a minute (no Web Widget) is 3,000 µUSD a second: every figure below is seconds × 3,000.
const MICROS_PER_SECOND = 3000n;

const PROVIDERS: Array<[string, () => FakeVoiceProvider]> = [
  ["twilio", () => new FakeTwilio()],
  ["vapi", () => new FakeVapi()],
  ["retell", () => new FakeRetell()],
];

async function callRecord(app: TestApp, account: { id: string; key: string }, callId: string) {
  const res = await app.request("GET", `/v1/accounts/${account.id}/calls?limit=100`, { key: account.key });
  expect(res.status).toBe(200);
  return (res.body.data as Array<Record<string, any>>).find((c) => c.id === callId);
}

const json = async (res: Response) => (await res.json()) as any;
const ago = (ms: number) => new Date(Date.now() - ms);

describe.each(PROVIDERS)("calls straight from %s", (name, make) => {
  const fake = make();
  // Ticks of a second and a 3 s silence before a lookup: the defaults (15 s, 2 m) scaled down.
  const app = useVoiceApp(fake, { PREPAID_CONNECTOR_TICK: "1s", PREPAID_CONNECTOR_STALE: "3s" });
  const ourId = (call: FakeCall) => `${name}-${call.id}`;

  it("authorises a call at its first event, meters it while it talks, and bills the provider's duration once", async () => {
    const account = await accountWith(app, { balance: "10.00" });
    const call = fake.dial(account.id);
    const ring = await fake.ring(call);
    if (ring) expect([ring.status, (await json(ring)).outcome]).toEqual([200, "authorized"]);
    const answered = await fake.answer(call, ago(20_000));
    expect([answered.status, (await json(answered)).outcome]).toEqual([200, ring ? "answered" : "authorized"]);

    // prepaid's own meter, a tick behind the provider's clock: 20 s since answer, so 18 s or more soon.
    const running = await waitFor("the call metered", async () => {
      const record = await callRecord(app, account, ourId(call));
      return record && record.billed_seconds >= 18 ? record : undefined;
    });
    expect(running).toMatchObject({ status: "active", source: name, provider_call_id: call.id, ended_by: null });

    const end = await fake.end(call);
    expect([end.status, (await json(end)).outcome]).toEqual([200, "billed"]);
    const again = await fake.sendEnd(call);
    expect([again.status, (await json(again)).outcome]).toEqual([200, "duplicate"]);

    const seconds = fake.durationOf(call);
    expect(seconds).toBeGreaterThanOrEqual(20);
    const record = await callRecord(app, account, ourId(call));
    expect(record).toMatchObject({
      status: "ended",
      ended_by: "provider",
      billed_seconds: seconds,
      provider_duration_seconds: seconds,
      amount: formatMicros(BigInt(seconds) * MICROS_PER_SECOND),
    });
    expect((await getAccount(app, account)).balance).toBe(formatMicros(10_000_000n - BigInt(seconds) * MICROS_PER_SECOND));
    // Nothing billed after the end, however many ticks pass.
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await callRecord(app, account, ourId(call)))!.billed_seconds).toBe(seconds);
  });

  it("refuses a call the credit cannot hold, hangs it up at the provider, and History says why", async () => {
    // A call holds a minute at its rate ($0.18): $0.10 does not cover it.
    const account = await accountWith(app, { balance: "0.10" });
    const call = fake.dial(account.id);
    const first = (await fake.ring(call)) ?? (await fake.answer(call));
    expect([first.status, (await json(first)).outcome]).toEqual([200, "refused"]);
    await waitFor("the hang-up at the provider", async () => (fake.hangUps.includes(call.id) ? true : undefined));
    // The provider's end event follows its hang-up; what it counted (0 or a second) is billed.
    const record = await waitFor("the end event", async () => {
      const r = await callRecord(app, account, ourId(call));
      return r?.provider_duration_seconds !== null && r?.provider_duration_seconds !== undefined ? r : undefined;
    });
    expect(record).toMatchObject({ status: "ended", ended_by: "refused", refused_reason: "insufficient_credit", source: name });
    expect(record.billed_seconds).toBe(record.provider_duration_seconds);
    expect((await getAccount(app, account)).balance).toBe(formatMicros(100_000n - BigInt(record.billed_seconds) * MICROS_PER_SECOND));
    expect(fake.hangUps.filter((id) => id === call.id)).toHaveLength(1);
  });

  it("wraps up a call whose credit runs out, then hangs it up at the provider, and bills the provider's count", async () => {
    // $0.30 is 100 s at $0.18/min; answered 92 s ago, so ~8 s are left: wrap-up now, hang-up a few ticks on.
    const account = await accountWith(app, { balance: "0.30" });
    const call = fake.dial(account.id);
    await fake.ring(call);
    const answered = await fake.answer(call, ago(92_000));
    expect(answered.status).toBe(200);
    await waitFor("the hang-up at the provider", async () => (fake.hangUps.includes(call.id) ? true : undefined), 30_000);
    const record = await waitFor("the end event", async () => {
      const r = await callRecord(app, account, ourId(call));
      return r?.status === "ended" ? r : undefined;
    });
    const seconds = fake.durationOf(call);
    // Hung up when the credit was gone: within a tick (and the hang-up's own time) of 100 s.
    expect(seconds).toBeGreaterThanOrEqual(99);
    expect(seconds).toBeLessThanOrEqual(104);
    expect(record).toMatchObject({ ended_by: "provider", billed_seconds: seconds, provider_duration_seconds: seconds });
    expect((await getAccount(app, account)).balance).toBe(formatMicros(300_000n - BigInt(seconds) * MICROS_PER_SECOND));
    const wrapUps = (await notifications(app, account)).filter((n) => n.type === "call.wrap_up");
    expect(wrapUps).toHaveLength(1);
    expect(wrapUps[0]!.data).toMatchObject({ call_id: ourId(call), provider: name, provider_call_id: call.id });
    // Vapi can say a line without cutting the agent off; the others get only the notification.
    expect(fake.said.filter((s) => s.callId === call.id)).toHaveLength(name === "vapi" ? 1 : 0);
    expect(fake.hangUps.filter((id) => id === call.id)).toHaveLength(1);
  }, 45_000);

  it("keeps a call going when its ticks set off Auto-Recharge: no wrap-up, no hang-up, one charge", async () => {
    const account = await accountWith(app, { balance: "0.30" });
    await addCard(app, account, CARDS.visa);
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "0.20", amount: "5.00" });
    expect(saved.status).toBe(200);
    const call = fake.dial(account.id);
    await fake.ring(call);
    // Answered 99 s ago: the first tick bills ~98 s ($0.294), the balance falls under $0.20 and $5
    // is charged in that tick's own transaction, so its answer already counts it: nothing to wrap up.
    await fake.answer(call, ago(99_000));
    const charged = await waitFor("the mid-call recharge", async () => {
      const list = await recharges(app, account);
      return list.some((r) => r.status === "succeeded") ? list : undefined;
    });
    expect(charged).toHaveLength(1);
    expect(charged[0]).toMatchObject({ trigger: "auto", amount: "5.00", status: "succeeded" });
    // Ticks go on past the 100 s the opening $0.30 paid for.
    await waitFor("metered past the opening credit", async () => {
      const r = await callRecord(app, account, ourId(call));
      return r && r.billed_seconds >= 101 ? r : undefined;
    });
    const end = await fake.end(call);
    expect(end.status).toBe(200);
    const seconds = fake.durationOf(call);
    expect(fake.hangUps).not.toContain(call.id);
    expect((await notifications(app, account)).filter((n) => n.type === "call.wrap_up")).toEqual([]);
    expect(await callRecord(app, account, ourId(call))).toMatchObject({ ended_by: "provider", billed_seconds: seconds });
    expect((await getAccount(app, account)).balance).toBe(formatMicros(5_300_000n - BigInt(seconds) * MICROS_PER_SECOND));
  });

  it("looks up a call whose end event never comes, and settles it once", async () => {
    const account = await accountWith(app, { balance: "10.00" });
    const call = fake.dial(account.id);
    await fake.ring(call);
    await fake.answer(call, ago(10_000));
    fake.endQuietly(call);
    const record = await waitFor("the lookup's settlement", async () => {
      const r = await callRecord(app, account, ourId(call));
      return r?.status === "ended" ? r : undefined;
    });
    const seconds = fake.durationOf(call);
    expect(fake.lookups).toContain(call.id);
    expect(record).toMatchObject({ ended_by: "provider", billed_seconds: seconds, provider_duration_seconds: seconds });
    // The end event arriving late after all is the same fact: a duplicate.
    const late = await fake.sendEnd(call);
    expect((await json(late)).outcome).toBe("duplicate");
    expect((await getAccount(app, account)).balance).toBe(formatMicros(10_000_000n - BigInt(seconds) * MICROS_PER_SECOND));
  });

  it("takes events out of order: an end before its answer bills the provider's duration, the late answer changes nothing", async () => {
    const account = await accountWith(app, { balance: "10.00" });
    const call = fake.dial(account.id);
    call.status = "in-progress";
    call.answeredAt = ago(30_000);
    const end = await fake.end(call);
    expect([end.status, (await json(end)).outcome]).toEqual([200, "billed"]);
    const lateAnswer = await fake.answer(call, call.answeredAt);
    expect([lateAnswer.status, (await json(lateAnswer)).outcome]).toEqual([200, "ignored"]);
    const seconds = fake.durationOf(call);
    expect(await callRecord(app, account, ourId(call))).toMatchObject({ status: "ended", ended_by: "provider", billed_seconds: seconds });
    expect((await getAccount(app, account)).balance).toBe(formatMicros(10_000_000n - BigInt(seconds) * MICROS_PER_SECOND));
  });

  it("refuses unsigned, wrongly signed and stale events with 401, and writes nothing", async () => {
    const account = await accountWith(app, { balance: "10.00" });
    for (const signing of ["none", "bad", "stale"] as const) {
      const call = fake.dial(account.id);
      const res = await fake.answer(call, new Date(), signing);
      expect([signing, res.status]).toEqual([signing, 401]);
      expect((await json(res)).error.code).toBe("unauthorized");
      expect(await callRecord(app, account, ourId(call))).toBeUndefined();
    }
  });

  it("answers 404 to a call naming no account prepaid has, and writes nothing", async () => {
    for (const accountId of ["acct_doesnotexist0001", undefined]) {
      const call = fake.dial(accountId);
      const res = await fake.answer(call);
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe("not_found");
      // Signed and fresh, but about nothing we have: a second try is still 404 (no event was kept).
      expect((await fake.answer(call)).status).toBe(404);
    }
  });
});
