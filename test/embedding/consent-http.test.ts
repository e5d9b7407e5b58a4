import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { pgError } from "../support/pg-error.js";
import { CARDS } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Consent to automatic charges (issue 30): recorded in the same transaction as the settings
// change it covers, append-only, listed at GET /v1/accounts/{id}/consents; a Payments-page
// session sends the sentence it showed (checked against the settings), a key may send its own.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_OPERATOR_NAME: "Acme Voice" }, { worker: false });
});
afterAll(async () => app?.close());

const card = { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" };

async function session(account: { id: string; key: string }) {
  const link = await app.request("POST", `/v1/accounts/${account.id}/sessions`, { key: account.key, body: { role: "owner" } });
  const code = new URL(link.body.url).hash.replace("#code=", "");
  const exchanged = await app.request("POST", "/v1/sessions/exchange", { body: { code } });
  return { id: link.body.id as string, token: exchanged.body.token as string };
}

async function withCard() {
  const account = await app.createAccount({ name: "Consenting", type: "user" });
  const added = await app.request("POST", `/v1/accounts/${account.id}/payment-methods`, { key: account.key, body: { card } });
  expect(added.status).toBe(201);
  const adjusted = await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "100.00", reason: "opening" } });
  expect(adjusted.status).toBe(201);
  return account;
}

const consents = async (account: { id: string }, key: string) => (await app.request("GET", `/v1/accounts/${account.id}/consents`, { key })).body.data as any[];
const put = (account: { id: string }, key: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  app.request("PUT", `/v1/accounts/${account.id}/auto-recharge`, { key, body, ...(headers ? { headers } : {}) });

describe("consent to automatic charges", () => {
  it("an API key's save is recorded with the key as attester and the sentence the page would show; the key may send the customer's own words", async () => {
    const account = await withCard();
    const keys = await app.request("GET", `/v1/accounts/${account.id}/api-keys`, { key: account.key });
    expect((await put(account, account.key, { enabled: true, threshold: "10.00", amount: "25.00", monthly_limit: "200.00" })).status).toBe(200);
    let list = await consents(account, account.key);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      account_id: account.id,
      text: "I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00, at most $200.00 a month.",
      actor: { type: "api_key", id: keys.body.data[0].id },
      ip: null,
      user_agent: null,
      terms: { display_name: "Acme Voice", card: "Visa •••• 4242", mode: "fixed", amount: "25.00", target: null, threshold: "10.00", monthly_limit: "200.00", backup_card: null },
    });
    expect(list[0].id).toMatch(/^cns_/);

    // Target mode, in the customer's own words, where they agreed.
    const own = { text: "I agree that Acme Voice tops my balance up to $60.00 when it falls below $10.00.", ip: "203.0.113.7", user_agent: "AcmeApp/2.1" };
    expect((await put(account, account.key, { mode: "target", target: "60.00", consent: own })).status).toBe(200);
    list = await consents(account, account.key);
    expect(list.map((c) => c.text)).toEqual([own.text, "I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00, at most $200.00 a month."]);
    expect(list[0]).toMatchObject({ ip: own.ip, user_agent: own.user_agent, terms: { mode: "target", target: "60.00" } });
    // In the audit log, with the change it covers.
    const log = await app.request("GET", `/v1/accounts/${account.id}/audit-log?limit=1`, { key: account.key });
    expect(log.body.data[0].changes.consent).toEqual([null, own.text]);
  });

  it("only a change of what, where or when it charges needs consent: turning off, or saving the same, records none", async () => {
    const account = await withCard();
    await put(account, account.key, { enabled: true, threshold: "10.00", amount: "25.00" });
    await put(account, account.key, { threshold: "10.00", amount: "25.00" });
    await put(account, account.key, { enabled: false });
    await put(account, account.key, { enabled: false, threshold: "15.00" });
    expect(await consents(account, account.key)).toHaveLength(1);
    await put(account, account.key, { enabled: true });
    expect((await consents(account, account.key)).map((c) => c.terms.threshold)).toEqual(["15.00", "10.00"]);
  });

  it("a session must send the sentence the preview showed for these very settings: without it, or with other words, nothing is written", async () => {
    const account = await withCard();
    const opened = await session(account);
    const body = { enabled: true, threshold: "10.00", amount: "25.00" };
    const preview = await app.request("POST", `/v1/accounts/${account.id}/auto-recharge/preview`, { key: opened.token, body });
    expect(preview.body.consent_text).toBe("I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00.");

    const missing = await put(account, opened.token, body);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "invalid_request", field: "consent" });
    const other = await put(account, opened.token, { ...body, consent: { text: "I authorise Acme Voice to charge Visa •••• 4242 $20.00 whenever my balance falls below $10.00." } });
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ code: "invalid_request", field: "consent.text" });
    expect((await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key })).body.enabled).toBe(false);
    expect(await consents(account, account.key)).toEqual([]);
    const audit = await app.request("GET", `/v1/accounts/${account.id}/audit-log?limit=100`, { key: account.key });
    expect(audit.body.data.map((e: { action: string }) => e.action)).not.toContain("auto_recharge.updated");

    const agreed = await put(account, opened.token, { ...body, consent: { text: preview.body.consent_text } }, { "User-Agent": "Mozilla/5.0 (consent test)" });
    expect(agreed.status).toBe(200);
    const [recorded] = await consents(account, account.key);
    expect(recorded).toMatchObject({ text: preview.body.consent_text, actor: { type: "session", id: opened.id }, user_agent: "Mozilla/5.0 (consent test)" });
    expect(recorded.ip).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    // Turning off needs no sentence.
    expect((await put(account, opened.token, { enabled: false })).status).toBe(200);
  });

  it("the agency and the operator read a subaccount's consents; a stranger gets 404; rows cannot be changed or removed", async () => {
    const agency = await app.createAccount({ name: "Agency", type: "agency" });
    const sub = await app.createAccount({ name: "Sub", type: "subaccount", parent_id: agency.id });
    await app.request("POST", `/v1/accounts/${sub.id}/payment-methods`, { key: sub.key, body: { card } });
    await put(sub, sub.key, { enabled: true, threshold: "10.00", amount: "25.00" });
    const stranger = await app.createAccount({ name: "Stranger", type: "user" });
    expect(await consents(sub, agency.key)).toHaveLength(1);
    expect(await consents(sub, app.adminKey)).toHaveLength(1);
    expect((await app.request("GET", `/v1/accounts/${sub.id}/consents`, { key: stranger.key })).status).toBe(404);

    const [row] = await queryRows<{ id: string }>(app.db.db, sql`select id from consents where account_id = ${sub.id}`);
    const refusal = (work: Promise<unknown>) => work.then(() => "written", (e: unknown) => pgError(e)?.message ?? String(e));
    expect(await refusal(app.db.db.execute(sql`update consents set text = 'edited' where id = ${row!.id}`))).toContain("append-only");
    expect(await refusal(app.db.db.execute(sql`delete from consents where id = ${row!.id}`))).toContain("append-only");
    expect(await consents(sub, agency.key)).toHaveLength(1);
  });
});
