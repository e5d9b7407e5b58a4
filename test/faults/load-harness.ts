import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { enableAutoRecharge, seedWallets } from "../../bench/seed.js";
import { arrayLiteral } from "../../src/db/array-literal.js";
import { queryRows, type Database } from "../../src/db/database.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { cost } from "../../src/money/rating.js";

export const ACCOUNTS = 8;
export const CALLS_PER_ACCOUNT = 6;
export const STEPS = 24;
export const SECONDS_PER_STEP = 30;
const RATE = 180_000n;

/**
 * The environment of a server under these tests: short leases and retry delays, so work a
 * crash or a lost connection left in flight resumes within the test's time, and a provider
 * that takes a little while, so kills land mid-charge.
 */
export function faultServerEnv(databaseEnv: Record<string, string>, adminKey: string): Record<string, string> {
  return {
    ...databaseEnv,
    PREPAID_ADMIN_KEY: adminKey,
    PREPAID_CHARGE_LEASE_MS: "500",
    PREPAID_WORKER_POLL_MS: "50",
    PREPAID_SANDBOX_DELAY_MS: "30",
    // The sandbox keeps its records in this database too: a charge whose connection is lost
    // is a soft failure, retried after these delays (not the default minutes).
    PREPAID_RETRY_DELAYS: "100ms,100ms,200ms,500ms,1s,2s",
    // A charge whose outcome is still unknown after those tries (its lookups lost their
    // connection too) is looked up again this often, not every minute.
    PREPAID_RECONCILE_INTERVAL: "200ms",
  };
}

/** Wallets at $10.50 with Auto-Recharge ($50 below $10) and started calls: `fl<a>` / `call_fl<n>`. */
export async function seedLoad(db: Database): Promise<void> {
  await seedWallets(db, "fl", ACCOUNTS, ACCOUNTS * CALLS_PER_ACCOUNT, 10_500_000n);
  await enableAutoRecharge(db, "fl", ACCOUNTS);
}

/**
 * Reports every call's cumulative seconds, step by step, half of them one by one and half in
 * batches, each report retried (same call, same cumulative seconds) until a server answers
 * 200: what a platform's call infrastructure does when the service restarts under it.
 * `url()` is asked again on every try, so the server may move.
 */
export async function driveLoad(
  url: () => string,
  adminKey: string,
  options: {
    steps?: number;
    /** The first step (a later round of load goes on from where the last one stopped). */
    fromStep?: number;
    pauseMs?: number;
    giveUpMs?: number;
    signal?: AbortSignal;
    /** Hears every try's outcome as it comes (a failover test times the recovery). */
    onAnswer?: (ok: boolean) => void;
  } = {},
): Promise<{ retries: number; steps: number }> {
  const steps = options.steps ?? STEPS;
  const fromStep = options.fromStep ?? 1;
  const giveUpMs = options.giveUpMs ?? 60_000;
  let retries = 0;
  const send = async (path: string, body: unknown) => {
    // A client that retries for ever turns a server that never comes back into a test that
    // hangs until its own timeout and says nothing: give up on a report no server took within
    // giveUpMs, saying what it saw last.
    const giveUpAt = Date.now() + giveUpMs;
    let lastFailure = "";
    for (;;) {
      options.signal?.throwIfAborted();
      if (Date.now() > giveUpAt) throw new Error(`${path}: no server took it within ${giveUpMs} ms; last failure: ${lastFailure}`);
      try {
        const res = await fetch(`${url()}${path}`, {
          method: "POST",
          headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5_000),
        });
        if (res.status === 200) {
          options.onAnswer?.(true);
          return;
        }
        options.onAnswer?.(false);
        const text = await res.text();
        if (res.status < 500) throw new Error(`${path}: ${res.status} ${text}`);
        lastFailure = `${path}: ${res.status} ${text}`;
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(path)) throw error;
        options.onAnswer?.(false);
        lastFailure = `${path}: ${String(error)}`;
      }
      retries++;
      await sleep(50);
    }
  };
  const calls = Array.from({ length: ACCOUNTS * CALLS_PER_ACCOUNT }, (_, i) => `call_fl${i + 1}`);
  for (let step = fromStep; step <= steps; step++) {
    if (options.pauseMs) await sleep(options.pauseMs);
    const elapsed = step * SECONDS_PER_STEP;
    const half = calls.length / 2;
    await Promise.all([
      ...calls.slice(0, half).map((id) => send(`/v1/calls/${id}/usage`, { elapsed_seconds: elapsed })),
      send("/v1/usage", { events: calls.slice(half).map((id) => ({ call_id: id, elapsed_seconds: elapsed })) }),
    ]);
  }
  return { retries, steps };
}

export async function waitUntilSettled(db: Database, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await queryRows<{ n: bigint }>(db, sql`select count(*) as n from recharges where status in ('pending', 'processing')`);
    if (row!.n === 0n) return;
    if (Date.now() > deadline) throw new Error(`${row!.n} recharges still in flight`);
    await sleep(100);
  }
}

/** Nothing lost, nothing billed twice, every charge made once and credited once. */
export async function expectExactOutcome(db: Database, steps = STEPS): Promise<void> {
  const final = steps * SECONDS_PER_STEP;
  const calls = await queryRows<{ billed_seconds: number }>(db, sql`select billed_seconds from calls where id like 'call_fl%'`);
  expect(calls).toHaveLength(ACCOUNTS * CALLS_PER_ACCOUNT);
  expect(new Set(calls.map((c) => Number(c.billed_seconds)))).toEqual(new Set([final]));
  const ids = arrayLiteral(Array.from({ length: ACCOUNTS }, (_, i) => `acct_fl${i + 1}`));
  const usage = await queryRows<{ account_id: string; spent: bigint }>(
    db,
    sql`select account_id, (-sum(amount_micros))::bigint as spent from ledger_entries
        where type = 'usage' and account_id = any(${ids}::text[]) group by account_id`,
  );
  expect(usage).toHaveLength(ACCOUNTS);
  for (const row of usage) expect(row.spent).toBe(BigInt(CALLS_PER_ACCOUNT) * cost(final, RATE));
  const [charges] = await queryRows<{ provider: bigint; ours: bigint }>(
    db,
    sql`select (select count(*) from sandbox_charges where status = 'succeeded') as provider,
               (select count(*) from recharges where status = 'succeeded') as ours`,
  );
  expect(charges!.ours).toBeGreaterThan(0n);
  expect(charges!.provider).toBe(charges!.ours);
  expect(await verifyLedger(db)).toEqual([]);
}
