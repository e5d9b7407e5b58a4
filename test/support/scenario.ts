import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { startTestApp, type TestApp } from "./test-app.js";
import { stripeBrowser } from "./stripe-server/stripe-browser.js";

export const CARDS = {
  visa: "4242424242424242",
  declined: "4000000000000002",
  insufficientFunds: "4000000000009995",
  expired: "4000000000000069",
  declinesOnCharge: "4000000000000341",
  authenticationRequired: "4000002760003184",
  processingError: "4000000000000119",
} as const;

/** Polls `probe` until it returns a value that is not undefined; fails the test after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A user account with a key, funded by an operator adjustment when `balance` is given. */
export async function accountWith(
  app: TestApp,
  options: { balance?: string; webWidget?: boolean; type?: "user" | "subaccount"; parentId?: string } = {},
): Promise<{ id: string; key: string }> {
  const { id, key } = await app.createAccount({
    name: "Scenario",
    type: options.type ?? "user",
    ...(options.parentId ? { parent_id: options.parentId } : {}),
    web_widget: options.webWidget ?? false,
  });
  if (options.balance) {
    const res = await app.request("POST", `/v1/accounts/${id}/adjustments`, {
      key: app.adminKey,
      body: { amount: options.balance, reason: "scenario opening balance" },
    });
    expect(res.status).toBe(201);
  }
  return { id, key };
}

/**
 * Saves a card as a user would: on the sandbox the number goes to our API; on Stripe the
 * "browser" creates the payment method at Stripe with the publishable key (the official SDK
 * against the local Stripe) and our API receives only its id.
 */
export async function addCard(app: TestApp, account: { id: string; key: string }, number: string, makeDefault = false, expYear = 2034) {
  const card = { number, exp_month: 12, exp_year: expYear, cvc: "123" };
  const body = app.stripe ? { provider_payment_method: (await stripeBrowser(app.stripe).paymentMethods.create({ type: "card", card })).id } : { card };
  const res = await app.request("POST", `/v1/accounts/${account.id}/payment-methods`, {
    key: account.key,
    body: { ...body, ...(makeDefault ? { default: true } : {}) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; brand: string; last4: string; exp_year: number; is_default: boolean; replaced_payment_method_id: string | null };
}

/** An operator's debit of `amount` USD (as usage would take it), through the adjustments route. */
export function debit(app: TestApp, accountId: string, amount: string) {
  return app.request("POST", `/v1/accounts/${accountId}/adjustments`, { key: app.adminKey, body: { amount: `-${amount}`, reason: "usage" } });
}

export async function saveAutoRecharge(app: TestApp, account: { id: string; key: string }, body: Record<string, unknown>, headers?: Record<string, string>) {
  return app.request("PUT", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key, body, ...(headers ? { headers } : {}) });
}

export async function getAccount(app: TestApp, account: { id: string; key: string }) {
  const res = await app.request("GET", `/v1/accounts/${account.id}`, { key: account.key });
  expect(res.status).toBe(200);
  return res.body;
}

export async function recharges(app: TestApp, account: { id: string; key: string }) {
  const res = await app.request("GET", `/v1/accounts/${account.id}/recharges?limit=100`, { key: account.key });
  expect(res.status).toBe(200);
  return res.body.data as Array<{ id: string; trigger: string; amount: string; status: string; attempts: number; failure_code: string | null; failure_message: string | null; refunded: string; confirm_by: string | null }>;
}

export async function notifications(app: TestApp, account: { id: string; key: string }) {
  const res = await app.request("GET", `/v1/accounts/${account.id}/notifications?limit=100`, { key: account.key });
  expect(res.status).toBe(200);
  return res.body.data as Array<{ type: string; message: string; account_id: string; data: Record<string, unknown> }>;
}

/**
 * A $50 top-up left pending (a test app started with `worker: false`) whose charge `chargeId`
 * the sandbox made and succeeded: what the worker would have done before settling it, so a
 * test can hand the provider's events over itself, in any order.
 */
export async function pendingSandboxTopUp(app: TestApp, chargeId: string) {
  const account = await app.createAccount({ name: "Provider events", type: "user" });
  const card = await addCard(app, account, CARDS.visa, true);
  const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
  expect(topUp.status).toBe(201);
  const [token] = await queryRows<{ provider_ref: string }>(app.db.db, sql`select provider_ref from payment_methods where id = ${card.id}`);
  await app.db.db.execute(
    sql`insert into sandbox_charges (idempotency_key, charge_id, card_token, amount_micros, status) values (${topUp.body.id}, ${chargeId}, ${token!.provider_ref}, 50000000, 'succeeded')`,
  );
  return { account, rechargeId: topUp.body.id as string };
}

/** Waits until the account has no recharge pending or processing, and returns its recharges. */
export async function settled(app: TestApp, account: { id: string; key: string }, timeoutMs = 15_000) {
  return waitFor(
    "recharges to settle",
    async () => {
      const list = await recharges(app, account);
      return list.some((r) => r.status === "pending" || r.status === "processing") ? undefined : list;
    },
    timeoutMs,
  );
}

export async function startCall(app: TestApp, account: { id: string; key: string }, callId?: string) {
  return app.request("POST", "/v1/calls", { key: account.key, body: { account_id: account.id, ...(callId ? { call_id: callId } : {}) } });
}

export async function reportUsage(app: TestApp, account: { key: string }, callId: string, elapsedSeconds: number) {
  const res = await app.request("POST", `/v1/calls/${callId}/usage`, { key: account.key, body: { elapsed_seconds: elapsedSeconds } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { billed_seconds: number; amount: string; call_total: string; balance: string; action: string };
}

/** The provider's own record of charges for an account's recharges (sandbox tables, or the local Stripe's PaymentIntents). */
export async function providerCharges(app: TestApp, accountId: string) {
  if (app.stripe) return app.stripe.chargesOf(accountId);
  return queryRows<{ idempotency_key: string; status: string; attempts: number; amount_micros: bigint }>(
    app.db.db,
    sql`select sc.idempotency_key, sc.status, sc.attempts, sc.amount_micros
        from sandbox_charges sc join recharges r on r.id = sc.idempotency_key where r.account_id = ${accountId}`,
  );
}

export async function expectLedgerVerified(app: TestApp): Promise<void> {
  expect(await verifyLedger(app.db.db)).toEqual([]);
  if (app.stripe) {
    // verify cannot read Stripe; here the local Stripe's PaymentIntents are compared with our recharges.
    const ours = await queryRows<{ id: string; account_id: string; status: string }>(app.db.db, sql`select id, account_id, status from recharges`);
    const disagreements = ours.flatMap((r) => {
      const charged = app.stripe!.chargesOf(r.account_id).filter((c) => c.idempotency_key === r.id && c.status === "succeeded").length;
      const expected = r.status === "succeeded" ? 1 : 0;
      return charged === expected || r.status === "pending" || r.status === "processing" ? [] : [`${r.id} is ${r.status}, Stripe charged it ${charged} times`];
    });
    expect(disagreements).toEqual([]);
  }
}

/**
 * The scenario files' shared frame: a running app for the file, and `verify` over its ledger
 * once every test of the file has run. Returns the app (usable from inside tests).
 */
export function useScenarioApp(env: Record<string, string> = {}): TestApp {
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startTestApp(env);
  });
  afterAll(async () => {
    if (!started) return;
    await expectLedgerVerified(started);
    await started.close();
  });
  return new Proxy({} as TestApp, {
    get(_, property) {
      if (!started) throw new Error("assertion: the scenario app is used inside tests only");
      return Reflect.get(started, property);
    },
  });
}
