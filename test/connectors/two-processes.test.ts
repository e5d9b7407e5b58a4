import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { queryRows } from "../../src/db/database.js";
import { jsonClient, runCli, sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";
import { waitFor } from "../support/scenario.js";
import { onPostgres } from "../support/test-database.js";
import type { FakeVoiceProvider } from "../support/voice/fake-provider.js";
import { FakeRetell } from "../support/voice/fake-retell.js";
import { FakeTwilio } from "../support/voice/fake-twilio.js";
import { FakeVapi } from "../support/voice/fake-vapi.js";

const PROVIDERS: Array<[string, () => FakeVoiceProvider]> = [
  ["twilio", () => new FakeTwilio()],
  ["vapi", () => new FakeVapi()],
  ["retell", () => new FakeRetell()],
];

// $0.18 a minute is 3,000 µUSD a second.
const MICROS_PER_SECOND = 3000n;

describe.runIf(onPostgres).each(PROVIDERS)("%s calls taken by two server processes at once (PostgreSQL)", (name, make) => {
  let shared: SharedDatabase | undefined;
  let servers: ServerProcess[] = [];
  const fake = make();
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await fake.stop();
    await shared?.cleanup();
  });

  it("bills each call once, wraps up and hangs up once, whichever process takes which delivery", async () => {
    await fake.start();
    shared = await sharedDatabase();
    const admin = generateKey();
    // Both behind one public origin, as behind a balancer: Twilio signs the URL it believes it called.
    const publicUrl = "https://billing.example.test";
    fake.publicOrigin = publicUrl;
    const env = { ...shared.env, ...fake.env(), PREPAID_PUBLIC_URL: publicUrl, PREPAID_ADMIN_KEY: admin, PREPAID_CONNECTOR_TICK: "1s", PREPAID_CONNECTOR_STALE: "3s", PREPAID_WORKER_POLL_MS: "50" };
    servers = await Promise.all([spawnServer(env), spawnServer(env)]);
    fake.fanOut = servers.map((s) => s.url);
    const api = jsonClient(servers[0]!.url);

    const opened = await api("POST", "/v1/accounts", admin, { name: "Two processes", type: "user" });
    expect(opened.status).toBe(201);
    const account = opened.body.id as string;
    expect((await api("POST", `/v1/accounts/${account}/adjustments`, admin, { amount: "10.00", reason: "opening" })).status).toBe(201);
    const short = (await api("POST", "/v1/accounts", admin, { name: "Short of credit", type: "user" })).body.id as string;
    expect((await api("POST", `/v1/accounts/${short}/adjustments`, admin, { amount: "0.30", reason: "opening" })).status).toBe(201);

    // Five calls on the funded account, answered 20 s ago; one on $0.30 answered 92 s ago (about 8 s left).
    const calls = Array.from({ length: 5 }, () => fake.dial(account));
    for (const call of calls) await fake.answer(call, new Date(Date.now() - 20_000));
    const shortCall = fake.dial(short);
    await fake.answer(shortCall, new Date(Date.now() - 92_000));
    // Each delivery went to both processes: one authorised it, the other found it taken.
    expect(fake.answers.filter((a) => a.outcome === "authorized")).toHaveLength(6);
    expect(fake.answers.filter((a) => a.outcome === "duplicate")).toHaveLength(6);

    // Both processes' tickers meter the same calls; let them run a few ticks together.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const call of calls) await fake.end(call);
    await waitFor("the short call hung up", async () => (fake.hangUps.includes(shortCall.id) ? true : undefined), 30_000);

    const db = await shared.open();
    try {
      const ids = [...calls, shortCall].map((c) => `${name}-${c.id}`);
      const rows = await waitFor("every call billed", async () => {
        const found = await queryRows<{ id: string; billed_seconds: number; status: string; provider_duration_seconds: number | null }>(
          db.db,
          sql`select c.id, c.billed_seconds, c.status, cc.provider_duration_seconds from calls c join connector_calls cc on cc.call_id = c.id
              where c.id = any(${`{${ids.join(",")}}`}::text[])`,
        );
        return found.length === ids.length && found.every((r) => r.status === "ended" && r.provider_duration_seconds !== null) ? found : undefined;
      }, 30_000);
      for (const call of [...calls, shortCall]) {
        const row = rows.find((r) => r.id === `${name}-${call.id}`)!;
        expect([row.id, row.billed_seconds]).toEqual([row.id, fake.durationOf(call)]);
      }
      const funded = calls.reduce((sum, c) => sum + BigInt(fake.durationOf(c)), 0n);
      const [balances] = await queryRows<{ a: bigint; s: bigint; wrap_ups: bigint }>(
        db.db,
        sql`select (select balance_micros from wallets where account_id = ${account}) as a,
                   (select balance_micros from wallets where account_id = ${short}) as s,
                   (select count(*) from notifications where type = 'call.wrap_up') as wrap_ups`,
      );
      expect(balances).toEqual({ a: 10_000_000n - funded * MICROS_PER_SECOND, s: 300_000n - BigInt(fake.durationOf(shortCall)) * MICROS_PER_SECOND, wrap_ups: 1n });
      expect(fake.hangUps.filter((id) => id === shortCall.id)).toHaveLength(1);
      // Each end went to both: billed by one, a duplicate at the other. The short call's end is
      // sent by the fake after its hang-up, and its answers are recorded once both came back: wait
      // for all 24 (12 deliveries × 2 processes) before counting them.
      await waitFor("both answers to every delivery", async () => (fake.answers.length >= 24 ? true : undefined));
      expect(fake.answers).toHaveLength(24);
      expect(fake.answers.filter((a) => a.outcome === "billed")).toHaveLength(6);
      expect(fake.answers.filter((a) => a.outcome === "duplicate")).toHaveLength(12);
    } finally {
      await db.close();
    }
    const verified = await runCli(["verify"], env);
    expect(verified.code, verified.output).toBe(0);
  }, 120_000);
});
