import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";
import { accountWith, addCard, CARDS, expectLedgerVerified, getAccount, providerCharges, saveAutoRecharge, settled } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { onPostgres } from "../support/test-database.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Starts 50 calls, then reports a minute of each at once: $9.00 at $0.18, from $12 across the $10 threshold. */
async function crossTogether(app: TestApp, urls: string[]): Promise<{ id: string; key: string }> {
  const account = await accountWith(app, { balance: "12.00" });
  await addCard(app, account, CARDS.visa);
  await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
  const callIds: string[] = [];
  for (let i = 0; i < 50; i++) {
    const res = await app.request("POST", "/v1/calls", { key: account.key, body: { account_id: account.id } });
    expect(res.status).toBe(201);
    callIds.push(res.body.call_id);
  }
  const results = await Promise.all(
    callIds.map((callId, i) =>
      fetch(`${urls[i % urls.length]}/v1/calls/${callId}/usage`, {
        method: "POST",
        headers: { Authorization: `Bearer ${account.key}`, "Content-Type": "application/json" },
        body: JSON.stringify({ elapsed_seconds: 60 }),
      }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
  return account;
}

describe("concurrent usage crossing the threshold", () => {
  it(`starts exactly one recharge for 50 parallel usage reports (${onPostgres ? "PostgreSQL, pool of 10" : "PGlite"})`, async () => {
    const app = await startTestApp({ PREPAID_SANDBOX_DELAY_MS: "100" });
    cleanups.push(() => app.close());
    const account = await crossTogether(app, [app.server.url]);
    const list = await settled(app, account);
    expect(list.map((r) => [r.trigger, r.amount, r.status])).toEqual([["auto", "50.00", "succeeded"]]);
    expect(await providerCharges(app, account.id)).toHaveLength(1);
    expect((await getAccount(app, account)).balance).toBe("53.00");
    await expectLedgerVerified(app);
  });

  it.runIf(onPostgres)("starts exactly one recharge when two server processes share one database", async () => {
    const shared: SharedDatabase = await sharedDatabase();
    const adminKey = generateKey();
    // A client of the first process; usage goes to both, alternately. (On Stripe, its local
    // Stripe serves both processes and posts its webhooks to the first.)
    const handle = await shared.open();
    cleanups.push(() => handle.close());
    const app = await startTestApp({ PREPAID_SANDBOX_DELAY_MS: "100" }, { worker: false, db: handle });
    cleanups.push(() => app.close());
    const env = { ...shared.env, ...app.stripe?.env(), PREPAID_ADMIN_KEY: adminKey, PREPAID_SANDBOX_DELAY_MS: "100", PREPAID_WORKER_POLL_MS: "50" };
    const servers: ServerProcess[] = await Promise.all([spawnServer(env), spawnServer(env)]);
    cleanups.push(() => Promise.all(servers.map((s) => s.stop())));
    if (app.stripe) app.stripe.webhookUrl = `${servers[0]!.url}/v1/webhooks/stripe`;
    const viaFirst: TestApp = { ...app, adminKey, request: (m, p, o) => fetchVia(servers[0]!.url, m, p, o) };
    const account = await crossTogether(viaFirst, servers.map((s) => s.url));
    const list = await settled(viaFirst, account);
    expect(list.map((r) => [r.trigger, r.amount, r.status])).toEqual([["auto", "50.00", "succeeded"]]);
    expect(await providerCharges(app, account.id)).toHaveLength(1);
    expect((await getAccount(viaFirst, account)).balance).toBe("53.00");
    expect(await verifyLedger(handle.db)).toEqual([]);
  });
});

async function fetchVia(url: string, method: string, path: string, options: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(options.key ? { Authorization: `Bearer ${options.key}` } : {}),
      ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}
