import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createAccount } from "../../src/accounts/accounts.js";
import { startCall } from "../../src/billing/calls/calls.js";
import { loadConfig } from "../../src/config/config.js";
import { connect, migrate } from "../../src/db/connect.js";
import { inTransaction, queryRows, type Database, type DatabaseHandle } from "../../src/db/database.js";
import { issueGrant } from "../../src/billing/grants/grants.js";
import { backfillAllReceipts } from "../../src/receipts/receipts.js";
import { postEntry } from "../../src/ledger/ledger.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { usd } from "../../src/money/micros.js";
import { onPostgres, testDatabase } from "../support/test-database.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A database the CLI can open from another process: the test's PostgreSQL database, or a PGlite directory. */
async function databaseForCli(): Promise<{ handle: DatabaseHandle; env: Record<string, string> }> {
  if (onPostgres) {
    const db = await testDatabase();
    cleanups.push(() => db.close());
    return { handle: db, env: { DATABASE_URL: db.url! } };
  }
  const dir = mkdtempSync(join(tmpdir(), "prepaid-verify-"));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const handle = await connect({ dataDir: dir });
  await migrate(handle);
  return { handle, env: { PREPAID_DATA_DIR: dir, DATABASE_URL: "" } };
}

function runVerify(env: Record<string, string>) {
  const result = spawnSync(join(process.cwd(), "bin/prepaid"), ["verify"], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

async function seed(db: Database): Promise<string> {
  return inTransaction(db, async (tx) => {
    const account = await createAccount(tx, { name: "verify me", type: "user" });
    await postEntry(tx, { accountId: account.id, type: "adjustment", amountMicros: usd(20), entryKey: `v1-${account.id}` });
    await postEntry(tx, { accountId: account.id, type: "usage", amountMicros: -usd(3), entryKey: `v2-${account.id}` });
    return account.id;
  });
}

/** A sandbox card and a succeeded $5 charge `rch_<n>_<account>` with its credit entry, as settlement leaves them. */
async function succeededCharge(db: Database, id: string, n: number): Promise<string> {
  await db.execute(
    sql`insert into payment_methods (id, account_id, provider, provider_ref, brand, last4, exp_month, exp_year, is_default)
        values (${`pm_${id}`}, ${id}, 'sandbox', 'tok_v', 'visa', '4242', 12, 2034, true) on conflict do nothing`,
  );
  const recharge = `rch_${n}_${id}`;
  await db.execute(
    sql`insert into recharges (id, account_id, trigger, amount_micros, payment_method_id, status, provider_charge_id, settled_at)
        values (${recharge}, ${id}, 'manual', 5000000, ${`pm_${id}`}, 'succeeded', ${`ch_${n}`}, now())`,
  );
  await inTransaction(db, (tx) => postEntry(tx, { accountId: id, type: "recharge", amountMicros: usd(5), entryKey: `recharge:${recharge}`, rechargeId: recharge }));
  return recharge;
}

describe("prepaid verify", () => {
  it("passes on a healthy database and fails, naming the account, when a balance is broken behind the trigger's back", async () => {
    const { handle, env } = await databaseForCli();
    const healthy = await seed(handle.db);
    const broken = await seed(handle.db);
    expect(await verifyLedger(handle.db)).toEqual([]);

    // A PGlite directory has one user at a time: close it while the CLI runs.
    const pauseForCli = async <T>(fn: () => T): Promise<T> => {
      if (handle.kind === "pglite") await handle.close();
      return fn();
    };

    const ok = await pauseForCli(() => runVerify(env));
    expect(ok.output).toContain("verify: ok");
    expect(ok.code).toBe(0);

    const reopened = handle.kind === "pglite" ? await connect({ dataDir: env.PREPAID_DATA_DIR }) : handle;
    // Deliberate corruption: with the append-only trigger disabled, delete one entry.
    await inTransaction(reopened.db, async (tx) => {
      await tx.execute(sql`alter table ledger_entries disable trigger ledger_entries_append_only`);
      await tx.execute(sql`delete from ledger_entries where entry_key = ${`v2-${broken}`}`);
      await tx.execute(sql`alter table ledger_entries enable trigger ledger_entries_append_only`);
    });
    const violations = await verifyLedger(reopened.db);
    expect(violations.map((v) => v.accountId)).toContain(broken);
    expect(violations.map((v) => v.accountId)).not.toContain(healthy);
    if (reopened.kind === "pglite") await reopened.close();

    const failed = runVerify(env);
    expect(failed.code).toBe(1);
    expect(failed.output).toContain(`balance_equals_entries ${broken}`);
    expect(failed.output).not.toContain(healthy);
    if (handle.kind === "pglite") cleanups.push(async () => {});
  }, 120_000);

  it("fails when the append-only trigger is disabled", async () => {
    const db = await testDatabase();
    try {
      await seed(db.db);
      await db.db.execute(sql`alter table ledger_entries disable trigger ledger_entries_append_only`);
      const violations = await verifyLedger(db.db);
      expect(violations).toEqual([
        { check: "append_only_trigger", accountId: null, detail: "trigger ledger_entries_append_only is disabled" },
      ]);
    } finally {
      await db.close();
    }
  });

  it("fails when the audit log's append-only triggers are disabled or dropped", async () => {
    const db = await testDatabase();
    try {
      await seed(db.db);
      await db.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await db.db.execute(sql`drop trigger audit_log_no_truncate on audit_log`);
      expect(await verifyLedger(db.db)).toEqual([
        { check: "append_only_trigger", accountId: null, detail: "trigger audit_log_append_only is disabled" },
        { check: "append_only_trigger", accountId: null, detail: "trigger audit_log_no_truncate is missing" },
      ]);
    } finally {
      await db.close();
    }
  });

  it("fails when a wallet guard (the ledger's stand-in for a foreign key) is disabled", async () => {
    const db = await testDatabase();
    try {
      await seed(db.db);
      await db.db.execute(sql`alter table ledger_entries disable trigger ledger_entries_wallet_exists`);
      await db.db.execute(sql`alter table wallets disable trigger wallets_no_delete`);
      expect(await verifyLedger(db.db)).toEqual([
        { check: "wallet_guard_trigger", accountId: null, detail: "trigger ledger_entries_wallet_exists is disabled" },
        { check: "wallet_guard_trigger", accountId: null, detail: "trigger wallets_no_delete is disabled" },
      ]);
    } finally {
      await db.close();
    }
  });

  it("fails when a cached balance is changed directly", async () => {
    const db = await testDatabase();
    try {
      const id = await seed(db.db);
      await db.db.execute(sql`update wallets set balance_micros = balance_micros + 1 where account_id = ${id}`);
      const violations = await verifyLedger(db.db);
      expect(violations).toEqual([
        { check: "balance_equals_entries", accountId: id, detail: "cached balance 17000001 µUSD but entries sum to 17000000 µUSD" },
      ]);
    } finally {
      await db.close();
    }
  });

  it("fails when a wallet's running-call sums disagree with its running calls (a hold taken twice or never released)", async () => {
    const db = await testDatabase();
    try {
      const id = await seed(db.db);
      const config = loadConfig({ PREPAID_SECRET: "x".repeat(32) });
      await inTransaction(db.db, (tx) => startCall(tx, config, id, "verify-call"));
      expect(await verifyLedger(db.db)).toEqual([]);
      // The hold released behind the call's back: the call still runs.
      await db.db.execute(sql`update wallets set held_micros = 0, active_calls = 0, active_rate_micros = 0 where account_id = ${id}`);
      expect(await verifyLedger(db.db)).toEqual([
        {
          check: "running_calls_sums",
          accountId: id,
          detail: "wallet says 0 running calls holding 0 µUSD at 0 µUSD/min; its calls: 1 holding 180000 µUSD at 180000 µUSD/min",
        },
      ]);
    } finally {
      await db.close();
    }
  });

  it("fails on a refund that never reversed its credit, and on refunds above their charge", async () => {
    const db = await testDatabase();
    try {
      const id = await seed(db.db);
      await db.db.execute(
        sql`insert into payment_methods (id, account_id, provider, provider_ref, brand, last4, exp_month, exp_year, is_default)
            values (${`pm_${id}`}, ${id}, 'sandbox', 'tok_v', 'visa', '4242', 12, 2034, true)`,
      );
      await db.db.execute(
        sql`insert into recharges (id, account_id, trigger, amount_micros, payment_method_id, status, provider_charge_id)
            values (${`rch_${id}`}, ${id}, 'manual', 5000000, ${`pm_${id}`}, 'succeeded', 'ch_v')`,
      );
      await inTransaction(db.db, (tx) => postEntry(tx, { accountId: id, type: "recharge", amountMicros: usd(5), entryKey: `recharge:rch_${id}`, rechargeId: `rch_${id}` }));
      // Marked refunded at the provider, but no entry took the money back; and more than the charge.
      await db.db.execute(
        sql`insert into refunds (id, account_id, recharge_id, amount_micros, reason, status, provider_refund_id)
            values (${`rfd_${id}`}, ${id}, ${`rch_${id}`}, 6000000, 'v', 'succeeded', 're_v')`,
      );
      // (The provider's side is not set up here: only the refund checks are looked at.)
      const refundChecks = (await verifyLedger(db.db)).filter((v) => ["refund_reversed_once", "reversals_within_charge"].includes(v.check));
      expect(refundChecks.map((v) => [v.check, v.accountId, v.detail])).toEqual([
        ["refund_reversed_once", id, `refund rfd_${id} (succeeded) has 0 entries taking 0 µUSD`],
        ["reversals_within_charge", id, `charge rch_${id} of 5000000 µUSD was refunded 6000000 µUSD; refunds and disputes took 6000000 µUSD off the balance`],
      ]);
    } finally {
      await db.close();
    }
  });

  it("fails when a rebilled batch does not add up, a margin outgrows its debit, a call's margin is off, or a fee period is charged twice or not at all (docs/plans.md)", async () => {
    const db = await testDatabase();
    try {
      const { agency, sub } = await inTransaction(db.db, async (tx) => {
        const agency = await createAccount(tx, { name: "verify agency", type: "agency" });
        const sub = await createAccount(tx, { name: "verify sub", type: "subaccount", parentId: agency.id });
        await postEntry(tx, { accountId: sub.id, type: "adjustment", amountMicros: usd(20), entryKey: `v-open-${sub.id}` });
        return { agency: agency.id, sub: sub.id };
      });
      const post = (entry: Parameters<typeof postEntry>[1]) => inTransaction(db.db, (tx) => postEntry(tx, entry));
      // A good batch: a $0.25 debit carrying $0.07 of margin, the agency credited $0.07.
      await post({ accountId: sub, type: "usage", amountMicros: -250_000n, entryKey: "usage:v-good:60", batchId: "bat_good", marginMicros: 70_000n });
      await post({ accountId: agency, type: "rebilling_margin", amountMicros: 70_000n, entryKey: "rebilling_margin:bat_good", batchId: "bat_good" });
      expect((await verifyLedger(db.db)).filter((v) => v.check.startsWith("rebill"))).toEqual([]);
      // A batch whose agency got 1 µUSD too much; a margin entry with no debits; a margin above its debit.
      await post({ accountId: sub, type: "usage", amountMicros: -250_000n, entryKey: "usage:v-bad:60", batchId: "bat_bad", marginMicros: 70_000n });
      await post({ accountId: agency, type: "rebilling_margin", amountMicros: 70_001n, entryKey: "rebilling_margin:bat_bad", batchId: "bat_bad" });
      await post({ accountId: agency, type: "rebilling_margin", amountMicros: 5n, entryKey: "rebilling_margin:bat_none", batchId: "bat_none" });
      await post({ accountId: sub, type: "usage", amountMicros: -10n, entryKey: "usage:v-over:1", batchId: "bat_over", marginMicros: 11n });
      await post({ accountId: agency, type: "rebilling_margin", amountMicros: 11n, entryKey: "rebilling_margin:bat_over", batchId: "bat_over" });
      // A rebilled call billed 60 s at a $0.07 margin a minute, whose entries carry none of it.
      await db.db.execute(
        sql`insert into calls (id, account_id, rate_per_minute_micros, billed_seconds, billed_micros, status, margin_account_id, margin_rate_per_minute_micros)
            values ('call-v-margin', ${sub}, 250000, 60, 250000, 'ended', ${agency}, 70000)`,
      );
      await post({ accountId: sub, type: "usage", amountMicros: -250_000n, entryKey: "usage:call-v-margin:60", callId: "call-v-margin", batchId: "bat_call", marginMicros: 0n });
      // A fee that says 2 periods charged, with one entry.
      await db.db.execute(
        sql`insert into recurring_fees (id, account_id, name, amount_micros, interval, anchor_at, periods_charged, next_period_at)
            values ('fee_v', ${sub}, 'v', 1000000, 'month', now(), 2, now() + interval '2 months')`,
      );
      await post({ accountId: sub, type: "fee", amountMicros: -1_000_000n, entryKey: "fee:fee_v:0" });

      const found = (await verifyLedger(db.db)).filter((v) => v.check.startsWith("rebill") || v.check.startsWith("fee_"));
      const covers = found.filter((v) => v.check === "rebilled_debit_covers_margin");
      expect(covers.map((v) => v.detail)).toEqual([expect.stringMatching(/^entry txn_\w+ of -10 µUSD carries 11 µUSD of margin$/)]);
      expect(found.filter((v) => v !== covers[0]).map((v) => [v.check, v.detail]).sort()).toEqual(
        [
          ["rebilling_batches_add_up", "batch bat_bad: its debits carry 70000 µUSD of margin, the agency was credited 70001 µUSD"],
          ["rebilling_batches_add_up", "batch bat_none: its debits carry 0 µUSD of margin, the agency was credited 5 µUSD"],
          ["rebilled_call_margin_exact", "call call-v-margin billed 60 s paid 0 µUSD of margin, expected 70000 µUSD"],
          ["fee_periods_charged_once", "fee fee_v counts 2 periods charged; 1 fee entries (0 not its amount or account)"],
        ].sort(),
      );
    } finally {
      await db.close();
    }
  });

  it("fails when granted credit disagrees with its grants, a grant is not accounted for, or usage spent a grant after its expiry", async () => {
    const db = await testDatabase();
    try {
      const id = await seed(db.db);
      const config = loadConfig({ PREPAID_SECRET: "x".repeat(32) });
      const grant = await inTransaction(db.db, (tx) =>
        issueGrant(tx, config, id, { amountMicros: usd(5), reason: "trial", category: "promotional", expiresAt: new Date(Date.now() + 3_600_000) }, new Date()),
      );
      expect(await verifyLedger(db.db)).toEqual([]);
      // A usage entry posted an hour after the grant expired says it spent $1 of it; the
      // grant's remainder and the wallet's granted credit were changed behind the writer's back.
      await db.db.execute(sql`update credit_grants set expires_at = now() - interval '1 hour' where id = ${grant.id}`);
      await inTransaction(db.db, (tx) => postEntry(tx, { accountId: id, type: "usage", amountMicros: -usd(1), entryKey: `v3-${id}` }));
      const [entry] = await queryRows<{ id: string }>(db.db, sql`select id from ledger_entries where entry_key = ${`v3-${id}`}`);
      await db.db.execute(sql`insert into grant_spends (entry_id, grant_id, amount_micros) values (${entry!.id}, ${grant.id}, 1000000)`);
      await db.db.execute(sql`update wallets set granted_micros = 3000000 where account_id = ${id}`);
      const grantChecks = (await verifyLedger(db.db)).filter((v) => v.check.startsWith("grant"));
      expect(grantChecks.map((v) => [v.check, v.accountId, v.detail])).toEqual([
        ["granted_balance_is_grants", id, "wallet says 3000000 µUSD granted, its grants have 5000000 µUSD left"],
        ["grant_accounted", id, `grant ${grant.id} of 5000000 µUSD: spent 1000000, expired 0, left 5000000; its grant entry gave 5000000 µUSD, its expiry entry took 0 µUSD`],
        ["grant_spent_in_time", id, `entry ${entry!.id} spent grant ${grant.id}: spent at or after its expiry`],
      ]);
    } finally {
      await db.close();
    }
  });

  it("fails when a receipt number is missing, a succeeded charge has no receipt, or a receipt does not match its charge", async () => {
    const db = await testDatabase();
    try {
      const id = await seed(db.db);
      for (const n of [1, 2]) await succeededCharge(db.db, id, n);
      // Receipts for both, as a worker's start gives older charges theirs.
      expect(await backfillAllReceipts(db.db, "Op")).toBe(2);
      expect((await verifyLedger(db.db)).filter((v) => v.check.startsWith("receipt"))).toEqual([]);
      // Receipt 1 gone (a gap and a charge without one); receipt 2 now says another amount.
      await db.db.execute(sql`delete from receipts where operator = 'Op' and number = 1`);
      await db.db.execute(sql`update receipts set amount_micros = 4000000 where operator = 'Op' and number = 2`);
      const receiptChecks = (await verifyLedger(db.db)).filter((v) => v.check.startsWith("receipt"));
      expect(receiptChecks.map((v) => [v.check, v.detail])).toEqual([
        ["receipt_numbers_gapless", `operator "Op": counter at 2, 1 receipts, highest number 2`],
        ["receipt_matches_charge", `receipt of rch_2_${id} does not match its charge (succeeded)`],
        ["receipt_for_every_charge", `succeeded charge rch_1_${id} has no receipt`],
      ]);
    } finally {
      await db.close();
    }
  });

  it("fails on an automatic recharge after Auto-Recharge was turned off, and when the provider disagrees", async () => {
    const db = await testDatabase();
    try {
      const id = await seed(db.db);
      await db.db.execute(sql`insert into payment_methods (id, account_id, provider, provider_ref, brand, last4, exp_month, exp_year, is_default)
                              values ('pm_v', ${id}, 'sandbox', 'tok_v', 'visa', '4242', 12, 2034, true)`);
      await db.db.execute(sql`insert into auto_recharge_settings (account_id, enabled, threshold_micros, amount_micros, disabled_at)
                              values (${id}, false, 10000000, 50000000, now() - interval '1 minute')`);
      await db.db.execute(sql`insert into recharges (id, account_id, trigger, amount_micros, payment_method_id, status)
                              values ('rch_after_off', ${id}, 'auto', 50000000, 'pm_v', 'failed')`);
      await db.db.execute(sql`insert into sandbox_charges (idempotency_key, charge_id, card_token, amount_micros, status)
                              values ('rch_after_off', 'ch_v', 'tok_v', 50000000, 'succeeded')`);
      const checks = (await verifyLedger(db.db)).map((v) => [v.check, v.accountId]);
      expect(checks).toEqual([
        ["no_auto_recharge_when_disabled", id],
        ["provider_agrees", id],
      ]);
    } finally {
      await db.close();
    }
  });
});
