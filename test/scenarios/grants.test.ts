import { sql } from "drizzle-orm";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { GrantExpiryWorker } from "../../src/billing/grants/grant-expiry-worker.js";
import { queryRows } from "../../src/db/database.js";
import { parseConfigMicros } from "../../src/money/parse.js";
import { accountWith, getAccount, reportUsage, startCall, useScenarioApp } from "../support/scenario.js";
import type { TestApp } from "../support/test-app.js";

// docs/concepts.md Credit grants (issue 18, item 3): granted credit is spent before paid credit,
// soonest-expiring first; at expires_at what is left leaves once, and usage after that
// instant spends paid credit only, even before the expiry worker runs.

type Account = { id: string; key: string };

function grant(app: TestApp, account: Account, body: Record<string, unknown>, key = app.adminKey) {
  return app.request("POST", `/v1/accounts/${account.id}/grants`, { key, body });
}

async function grants(app: TestApp, account: Account) {
  const res = await app.request("GET", `/v1/accounts/${account.id}/grants`, { key: account.key });
  expect(res.status).toBe(200);
  return res.body.data as Array<{ id: string; amount: string; remaining: string; status: string; expired: string | null; expires_at: string | null }>;
}

async function entries(app: TestApp, account: Account) {
  const res = await app.request("GET", `/v1/accounts/${account.id}/transactions?limit=100`, { key: account.key });
  expect(res.status).toBe(200);
  return res.body.data as Array<{ type: string; amount: string; balance_after: string }>;
}

/** What each grant of the account lost to usage, from the spends the usage writer recorded. */
async function spentFrom(app: TestApp, grantId: string): Promise<bigint> {
  const [row] = await queryRows<{ spent: bigint | null }>(app.db.db, sql`select sum(amount_micros)::bigint as spent from grant_spends where grant_id = ${grantId}`);
  return BigInt(row!.spent ?? 0n);
}

describe("credit grants", () => {
  // The expiry worker's poll is made long here, so that "before the worker runs" is a fact
  // of the test, not a race: the test runs the expiry itself when it wants it.
  const app = useScenarioApp({ PREPAID_WORKER_POLL_MS: "600000" });

  it("spends a $5 grant before $10 paid; at expiry exactly one grant_expiry of what is left; usage after the instant spends paid credit only", async () => {
    const account = await accountWith(app, { balance: "10.00", webWidget: true });
    const expiresAt = new Date(Date.now() + 2_000);
    const given = await grant(app, account, { amount: "5.00", reason: "trial minutes", category: "promotional", expires_at: expiresAt.toISOString() });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    expect(given.body).toMatchObject({ id: expect.stringMatching(/^grt_/), amount: "5.00", remaining: "5.00", status: "active", expires_at: expiresAt.toISOString() });
    expect(await getAccount(app, account)).toMatchObject({ balance: "15.00", granted_balance: "5.00" });

    // $3.00 of calls (1125 s at $0.16/min): all of it from the grant.
    const call = await startCall(app, account, "call-grant-1");
    expect(call.status, JSON.stringify(call.body)).toBe(201);
    expect(await reportUsage(app, account, "call-grant-1", 1125)).toMatchObject({ amount: "3.00", balance: "12.00" });
    expect(await getAccount(app, account)).toMatchObject({ balance: "12.00", granted_balance: "2.00" });
    expect((await grants(app, account))[0]).toMatchObject({ remaining: "2.00", status: "active" });

    // Past the instant, before any expiry ran: $1.00 more (375 s) is paid credit, and the
    // grant's $2.00 no longer counts anywhere (the balance shown is 12 − 1 − 2 = 9.00).
    await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 50);
    expect(await reportUsage(app, account, "call-grant-1", 1500)).toMatchObject({ amount: "1.00", balance: "9.00" });
    expect(await spentFrom(app, given.body.id)).toBe(3_000_000n);
    expect(await getAccount(app, account)).toMatchObject({ balance: "9.00", granted_balance: "0.00" });
    expect((await grants(app, account))[0]).toMatchObject({ remaining: "0.00", status: "expired", expired: "2.00" });

    // The expiry, run twice (and by two workers at once): one grant_expiry of −$2.00.
    const expiry = () => new GrantExpiryWorker(app.db.db, app.config, () => new Date()).runOnce();
    const [first, second] = await Promise.all([expiry(), expiry()]);
    expect(first + second).toBe(1);
    expect(await expiry()).toBe(0);
    const expiries = (await entries(app, account)).filter((e) => e.type === "grant_expiry");
    expect(expiries).toEqual([expect.objectContaining({ amount: "-2.00", balance_after: "9.00" })]);
    expect(await getAccount(app, account)).toMatchObject({ balance: "9.00", granted_balance: "0.00" });
    expect((await grants(app, account))[0]).toMatchObject({ remaining: "0.00", status: "expired", expired: "2.00" });
  });

  it("a grant past its expiry authorises nothing, before the expiry worker runs: balance, minutes, holds and pre-flight leave it out", async () => {
    // Issue 27, item 3: only credit is a $1 grant expiring in 1.5 s; the worker polls every 10 minutes here.
    const account = await accountWith(app, { webWidget: true });
    const expiresAt = new Date(Date.now() + 1_500);
    expect((await grant(app, account, { amount: "1.00", reason: "trial", category: "promotional", expires_at: expiresAt.toISOString() })).status).toBe(201);
    expect(await getAccount(app, account)).toMatchObject({ balance: "1.00", granted_balance: "1.00", minutes_available: "6.25" });
    await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 100);
    expect(await getAccount(app, account)).toMatchObject({ balance: "0.00", granted_balance: "0.00", minutes_available: "0.00" });
    const refused = await startCall(app, account, "call-lapsed");
    expect(refused.status, JSON.stringify(refused.body)).toBe(402);
    expect(refused.body.error.code).toBe("insufficient_credit");
    const forecast = await app.request("POST", `/v1/accounts/${account.id}/preflight`, { key: account.key, body: { calls: 1, average_seconds: 60 } });
    expect(forecast.body).toMatchObject({ balance: "0.00", covered_calls: 0, shortfall: "0.16" });
    // Nothing was spent, nothing expired yet: the ledger still holds the grant's entry alone.
    expect((await entries(app, account)).map((e) => e.type)).toEqual(["grant"]);
  });

  it("burns the soonest-expiring grant first and a grant that never expires last", async () => {
    const account = await accountWith(app, { balance: "1.00", webWidget: true });
    const never = await grant(app, account, { amount: "2.00", reason: "outage credit", category: "compensation" });
    const late = await grant(app, account, { amount: "2.00", reason: "campaign", category: "promotional", expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    const soon = await grant(app, account, { amount: "1.00", reason: "trial", category: "promotional", expires_at: new Date(Date.now() + 600_000).toISOString() });
    expect([never.status, late.status, soon.status]).toEqual([201, 201, 201]);
    expect(await getAccount(app, account)).toMatchObject({ balance: "6.00", granted_balance: "5.00" });
    expect((await startCall(app, account, "call-grant-2")).status).toBe(201);
    // 1313 s at $0.16/min = $3.5013333…, rounded up to the µUSD: $3.501334.
    await reportUsage(app, account, "call-grant-2", 1313);
    expect(await spentFrom(app, soon.body.id)).toBe(1_000_000n);
    expect(await spentFrom(app, late.body.id)).toBe(2_000_000n);
    expect(await spentFrom(app, never.body.id)).toBe(501_334n);
    expect(await getAccount(app, account)).toMatchObject({ balance: "2.498666", granted_balance: "1.498666" });
  });

  it("refuses what is not a grant, and lets only the operator give one, with nothing written", async () => {
    const account = await accountWith(app, { balance: "1.00" });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ amount: "0.00", reason: "nothing", category: "promotional" }, "amount"],
      [{ amount: "5.00", reason: "past", category: "promotional", expires_at: new Date(Date.now() - 1_000).toISOString() }, "expires_at"],
      [{ amount: "5.00", reason: "odd", category: "loyalty" }, "category"],
      [{ amount: "5.001", reason: "sub-cent", category: "promotional" }, "amount"],
      [{ amount: "-5.00", reason: "negative", category: "promotional" }, "amount"],
    ];
    for (const [body, field] of cases) {
      const res = await grant(app, account, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: "invalid_request", field });
    }
    expect((await grant(app, account, { amount: "5.00", reason: "self-service", category: "promotional" }, account.key)).status).toBe(403);
    expect(await grants(app, account)).toEqual([]);
    expect(await getAccount(app, account)).toMatchObject({ balance: "1.00", granted_balance: "0.00" });
  });
});

describe("credit grants under concurrent usage and expiry", () => {
  const app = useScenarioApp({ PREPAID_WORKER_POLL_MS: "600000", PREPAID_USAGE_WRITERS: "4" });

  it("many calls reporting at once across the expiry instant, with expiries running beside them: no spend after the instant, one expiry", async () => {
    const account = await accountWith(app, { balance: "20.00", webWidget: true });
    const expiresAt = new Date(Date.now() + 1_000);
    // More than the 2 s of reports below spend ($0.32 a round): it is never used up, so what
    // stops the spending at the instant is the instant.
    const given = await grant(app, account, { amount: "50.00", reason: "race", category: "promotional", expires_at: expiresAt.toISOString() });
    expect(given.status).toBe(201);
    const calls = Array.from({ length: 8 }, (_, i) => `call-grant-race-${i}`);
    for (const id of calls) expect((await startCall(app, account, id)).status).toBe(201);
    const expiry = () => new GrantExpiryWorker(app.db.db, app.config, () => new Date()).runOnce();
    let expired = 0;
    // 2 s of rounds: every call reports 15 s more (4 cents at $0.16/min) at once. From 300 ms
    // after the instant, an expiry pass runs beside each round (a worker that is late, then races).
    for (let round = 1; Date.now() < expiresAt.getTime() + 1_000; round++) {
      const late = Date.now() > expiresAt.getTime() + 300;
      const [passed] = await Promise.all([late ? expiry() : 0, ...calls.map((id) => reportUsage(app, account, id, round * 15))]);
      expired += passed;
    }
    expired += await expiry();
    expect(expired).toBe(1);
    const [row] = await queryRows<{ late: bigint }>(
      app.db.db,
      sql`select count(*)::bigint as late from grant_spends s join ledger_entries e on e.id = s.entry_id where s.grant_id = ${given.body.id} and e.created_at >= ${expiresAt.toISOString()}`,
    );
    expect(row!.late).toBe(0n);
    const [left] = await grants(app, account);
    // What usage spent and what expired add up to the grant.
    expect((await spentFrom(app, given.body.id)) + parseConfigMicros(left!.expired!)).toBe(50_000_000n);
    expect(await getAccount(app, account)).toMatchObject({ granted_balance: "0.00" });
  });
});
