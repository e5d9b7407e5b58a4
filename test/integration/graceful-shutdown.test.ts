import { sql } from "drizzle-orm";
import { afterAll, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { queryRows } from "../../src/db/database.js";
import { jsonClient, runCli, sharedDatabase, startNpm, type NpmStart, type SharedDatabase } from "../support/processes.js";

let shared: SharedDatabase | undefined;
let started: NpmStart | undefined;
afterAll(async () => {
  started?.killGroup();
  await shared?.cleanup();
});

// docs/production.md / issue 16: SIGTERM to the `npm start` process under load stops accepting, finishes
// the requests it is answering (their usage commits before their answers), hands back the lease
// of a charge still at the provider so another worker resumes it at once, and exits 0 within
// 10 s. Every usage report that was answered 200 is in the database afterwards.
it("SIGTERM under usage load: exit 0 within 10 s, no acknowledged usage lost, the charge in flight released", async () => {
  shared = await sharedDatabase();
  const admin = generateKey();
  // A charge takes 30 s at the sandbox: it is in flight when the signal comes.
  started = await startNpm({ ...shared.env, PREPAID_ADMIN_KEY: admin, PREPAID_DEMO: "false", PREPAID_SANDBOX_DELAY_MS: "30000", LOG_LEVEL: "warn" });
  const { npm, url, exited } = started;
  const request = jsonClient(url);
  const call = (method: string, path: string, body?: unknown) => request(method, path, admin, body);
  const account = await call("POST", "/v1/accounts", { name: "Shutdown", type: "user" });
  await call("POST", `/v1/accounts/${account.body.id}/adjustments`, { amount: "500.00", reason: "load" });
  const key = (await call("POST", `/v1/accounts/${account.body.id}/api-keys`)).body.key as string;
  const asAccount = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  expect((await asAccount("POST", `/v1/accounts/${account.body.id}/payment-methods`, { card: { number: "4242424242424242", exp_month: 12, exp_year: 2034, cvc: "123" } })).status).toBe(201);
  const topUp = (await (await asAccount("POST", `/v1/accounts/${account.body.id}/recharges`, { amount: "10.00" })).json()) as { id: string };

  // Eight calls, each reporting its elapsed seconds as fast as it can, until the server is gone.
  const acknowledged = new Map<string, number>();
  const callIds: string[] = [];
  for (let i = 0; i < 8; i++) callIds.push(((await (await asAccount("POST", "/v1/calls", { account_id: account.body.id })).json()) as any).call_id);
  let stopped = false;
  const loops = callIds.map(async (callId) => {
    for (let elapsed = 1; !stopped && elapsed < 100_000; elapsed++) {
      try {
        const res = await asAccount("POST", `/v1/calls/${callId}/usage`, { elapsed_seconds: elapsed });
        if (res.status === 200) acknowledged.set(callId, Math.max(acknowledged.get(callId) ?? 0, ((await res.json()) as any).billed_seconds));
        else await res.text();
      } catch {
        return; // the server stopped accepting
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const sentAt = Date.now();
  npm.kill("SIGTERM");
  const code = await exited;
  const tookMs = Date.now() - sentAt;
  stopped = true;
  await Promise.all(loops);
  expect(code, started.output()).toBe(0);
  expect(tookMs).toBeLessThan(10_000);
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  expect([...acknowledged.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

  const handle = await shared.open();
  try {
    for (const callId of callIds) {
      const [row] = await queryRows<{ billed_seconds: number }>(handle.db, sql`select billed_seconds from calls where id = ${callId}`);
      // What the server answered was committed first: the database has at least that much.
      expect(row!.billed_seconds, callId).toBeGreaterThanOrEqual(acknowledged.get(callId) ?? 0);
    }
    // The charge still at the provider was handed back: its lease ends now, not in a minute.
    const [charge] = await queryRows<{ status: string; lease_left_s: number | null }>(
      handle.db,
      sql`select status, extract(epoch from lease_expires_at - now())::float8 as lease_left_s from recharges where id = ${topUp.id}`,
    );
    expect(charge!.status).toBe("processing");
    expect(charge!.lease_left_s).toBeLessThanOrEqual(0);
  } finally {
    await handle.close();
  }
  // Another worker resumes it at once and settles it exactly once.
  const drained = await runCli(["worker", "--drain"], { ...shared.env, PREPAID_ADMIN_KEY: admin, PREPAID_SANDBOX_DELAY_MS: "0", LOG_LEVEL: "warn" });
  expect(drained.code, drained.output).toBe(0);
  const after = await shared.open();
  try {
    const rows = await queryRows<{ status: string }>(after.db, sql`select status from recharges where account_id = ${account.body.id}`);
    expect(rows).toEqual([{ status: "succeeded" }]);
    const charges = await queryRows<{ n: bigint }>(after.db, sql`select count(*) as n from sandbox_charges where idempotency_key = ${topUp.id} and status = 'succeeded'`);
    expect(Number(charges[0]!.n)).toBe(1);
  } finally {
    await after.close();
  }
}, 120_000);
