import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { pgError } from "../support/pg-error.js";
import { CARDS } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox" }, { worker: false });
});
afterAll(async () => app?.close());

const card = { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" };

async function session(account: { id: string; key: string }, role = "owner") {
  const link = await app.request("POST", `/v1/accounts/${account.id}/sessions`, { key: account.key, body: { role } });
  const code = new URL(link.body.url).hash.replace("#code=", "");
  const exchanged = await app.request("POST", "/v1/sessions/exchange", { body: { code } });
  return { id: link.body.id as string, token: exchanged.body.token as string, requestId: link.headers.get("X-Request-Id")! };
}

describe("audit log", () => {
  it("records each change with its actor, request id and before → after, newest first", async () => {
    const account = await app.createAccount({ name: "Audited", type: "user" });
    const keys = await app.request("GET", `/v1/accounts/${account.id}/api-keys`, { key: account.key });
    const keyId = keys.body.data[0].id;
    const opened = await session(account);

    const added = await app.request("POST", `/v1/accounts/${account.id}/payment-methods`, { key: opened.token, body: { card } });
    expect(added.status).toBe(201);
    // The page sends the consent sentence its preview showed (issue 30).
    const settings = { enabled: true, threshold: "5.00", amount: "25.00" };
    const preview = await app.request("POST", `/v1/accounts/${account.id}/auto-recharge/preview`, { key: opened.token, body: settings });
    const saved = await app.request("PUT", `/v1/accounts/${account.id}/auto-recharge`, { key: opened.token, body: { ...settings, consent: { text: preview.body.consent_text } } });
    expect(saved.status).toBe(200);
    const turnedOff = await app.request("PUT", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key, body: { enabled: false } });
    const removed = await app.request("DELETE", `/v1/accounts/${account.id}/payment-methods/${added.body.id}`, { key: account.key });
    expect(removed.status).toBe(200);
    const rotated = await app.request("POST", `/v1/accounts/${account.id}/api-keys/${keyId}/rotate`, { key: account.key, body: { grace_seconds: 0 } });
    expect(rotated.status).toBe(201);
    const adjusted = await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "7.50", reason: "goodwill" } });

    const log = await app.request("GET", `/v1/accounts/${account.id}/audit-log?limit=100`, { key: rotated.body.key });
    expect(log.status).toBe(200);
    const rows = log.body.data as any[];
    expect(rows.map((r) => r.action)).toEqual([
      "balance.adjusted",
      "api_key.rotated",
      "payment_method.removed",
      "auto_recharge.updated",
      "auto_recharge.updated",
      "payment_method.added",
      "session.opened",
      "api_key.created",
      "account.created",
    ]);
    const [adjustment, rotation, removal, off, on, addition, sessionOpened, keyCreated, accountOpened] = rows;
    // Opening the account is audited too (issue 28, item 3).
    expect(accountOpened).toMatchObject({ actor: { type: "operator", label: "The operator" }, changes: { name: [null, "Audited"], type: [null, "user"] } });
    // The test's own setup: the operator made the account's first key.
    expect(keyCreated).toMatchObject({ actor: { type: "operator" }, changes: { id: [null, keyId], scope: [null, "full"] } });
    expect(sessionOpened).toMatchObject({ actor: { type: "api_key", id: keyId }, request_id: opened.requestId, changes: { session_id: [null, opened.id], role: [null, "owner"] } });
    expect(addition).toMatchObject({
      actor: { type: "session", id: opened.id },
      request_id: added.headers.get("X-Request-Id"),
      changes: { id: [null, added.body.id], brand: [null, "visa"], last4: [null, "4242"], expiry: [null, "12/2034"] },
    });
    expect(on).toMatchObject({
      actor: { type: "session", id: opened.id, label: "Payments page (owner)" },
      request_id: saved.headers.get("X-Request-Id"),
      changes: { enabled: [false, true], threshold: ["10.00", "5.00"], amount: ["50.00", "25.00"] },
    });
    expect(off).toMatchObject({ actor: { type: "api_key", id: keyId }, request_id: turnedOff.headers.get("X-Request-Id"), changes: { enabled: [true, false] } });
    expect(Object.keys(off.changes)).toEqual(["enabled"]);
    expect(removal).toMatchObject({ request_id: removed.headers.get("X-Request-Id"), changes: { id: [added.body.id, null], last4: ["4242", null] } });
    expect(rotation).toMatchObject({ actor: { type: "api_key", id: keyId }, changes: { id: [keyId, rotated.body.id] } });
    expect(adjustment).toMatchObject({ actor: { type: "operator" }, request_id: adjusted.headers.get("X-Request-Id"), changes: { balance: ["0.00", "7.50"], amount: [null, "7.50"], reason: [null, "goodwill"] } });
    // No secret in any audit row: not the new key, not the session's token.
    expect(JSON.stringify(rows)).not.toContain(rotated.body.key);
    expect(JSON.stringify(rows)).not.toContain(opened.token);
  });

  it("pages newest first with a cursor", async () => {
    const account = await app.createAccount({ name: "Paged", type: "user" });
    for (const on of [true, false, true]) await app.request("PATCH", `/v1/accounts/${account.id}`, { key: account.key, body: { web_widget: on } });
    const first = await app.request("GET", `/v1/accounts/${account.id}/audit-log?limit=2`, { key: account.key });
    expect(first.body.data.map((r: any) => r.changes.web_widget)).toEqual([[false, true], [true, false]]);
    const second = await app.request("GET", `/v1/accounts/${account.id}/audit-log?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`, { key: account.key });
    expect(second.body.data.map((r: any) => [r.action, r.changes.web_widget])).toEqual([["account.updated", [false, true]], ["api_key.created", undefined]]);
    // The oldest row is the account's opening, by the operator.
    const third = await app.request("GET", `/v1/accounts/${account.id}/audit-log?limit=2&cursor=${encodeURIComponent(second.body.next_cursor)}`, { key: account.key });
    expect(third.body.data.map((r: any) => r.action)).toEqual(["account.created"]);
    expect(third.body.next_cursor).toBeNull();
  });

  it("an agency and the operator read a subaccount's log; the agency cannot write; strangers get 404", async () => {
    const agency = await app.createAccount({ name: "Watching agency", type: "agency" });
    const sub = await app.createAccount({ name: "Watched sub", type: "subaccount", parent_id: agency.id });
    const stranger = await app.createAccount({ name: "Stranger", type: "user" });
    await app.request("PATCH", `/v1/accounts/${sub.id}`, { key: sub.key, body: { web_widget: true } });
    for (const key of [agency.key, app.adminKey, sub.key]) {
      const log = await app.request("GET", `/v1/accounts/${sub.id}/audit-log`, { key });
      expect(log.status).toBe(200);
      expect(log.body.data[0].action).toBe("account.updated");
    }
    expect((await app.request("GET", `/v1/accounts/${sub.id}/audit-log`, { key: stranger.key })).status).toBe(404);
    expect((await app.request("PATCH", `/v1/accounts/${sub.id}`, { key: agency.key, body: { web_widget: false } })).status).toBe(403);
    expect((await app.request("PUT", `/v1/accounts/${sub.id}/branding`, { key: agency.key, body: { display_name: "Agency says" } })).status).toBe(403);
    const log = await app.request("GET", `/v1/accounts/${sub.id}/audit-log`, { key: sub.key });
    expect(log.body.data.map((r: any) => r.action)).toEqual(["account.updated", "api_key.created", "account.created"]);
  });

  it("a failed change writes no audit row; the table refuses UPDATE and DELETE", async () => {
    const account = await app.createAccount({ name: "Refused", type: "user" });
    // Auto-Recharge on without a card: 400 payment_method_required, nothing written.
    const refused = await app.request("PUT", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key, body: { enabled: true, threshold: "5.00", amount: "25.00" } });
    expect(refused.status).toBe(400);
    expect(await queryRows(app.db.db, sql`select id from audit_log where account_id = ${account.id} and action not in ('api_key.created', 'account.created')`)).toEqual([]);
    await app.request("PATCH", `/v1/accounts/${account.id}`, { key: account.key, body: { web_widget: true } });
    const failure = (query: Promise<unknown>) => query.then(() => undefined, (e: unknown) => pgError(e)?.message);
    expect(await failure(app.db.db.execute(sql`update audit_log set action = 'nothing' where account_id = ${account.id}`))).toBe("audit_log is append-only: UPDATE is not allowed");
    expect(await failure(app.db.db.execute(sql`delete from audit_log where account_id = ${account.id}`))).toBe("audit_log is append-only: DELETE is not allowed");
    expect(await failure(app.db.db.execute(sql`truncate audit_log`))).toBe("audit_log is append-only: TRUNCATE is not allowed");
    expect(await queryRows(app.db.db, sql`select action from audit_log where account_id = ${account.id} order by created_at`)).toEqual([{ action: "account.created" }, { action: "api_key.created" }, { action: "account.updated" }]);
  });
});

describe("branding", () => {
  it("a subaccount shows its agency's branding until it sets its own; each save is audited", async () => {
    const agency = await app.createAccount({ name: "Brand agency", type: "agency" });
    const sub = await app.createAccount({ name: "Brand sub", type: "subaccount", parent_id: agency.id });
    expect((await app.request("GET", `/v1/accounts/${sub.id}/branding`, { key: sub.key })).body).toEqual({ display_name: null, logo_url: null, accent_color: null, source: "none" });

    const set = await app.request("PUT", `/v1/accounts/${agency.id}/branding`, {
      key: agency.key,
      body: { display_name: "Acme Voice", logo_url: "https://cdn.example.test/acme.png", accent_color: "#0b5fff" },
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ display_name: "Acme Voice", logo_url: "https://cdn.example.test/acme.png", accent_color: "#0B5FFF", source: "own" });
    expect((await app.request("GET", `/v1/accounts/${sub.id}/branding`, { key: sub.key })).body).toMatchObject({ display_name: "Acme Voice", source: "agency" });

    // The operator may set a subaccount's own branding; then it wins over the agency's.
    const own = await app.request("PUT", `/v1/accounts/${sub.id}/branding`, { key: app.adminKey, body: { display_name: "Sub's Own", accent_color: "#FFD700" } });
    expect(own.status).toBe(200);
    expect((await app.request("GET", `/v1/accounts/${sub.id}/branding`, { key: sub.key })).body).toEqual({ display_name: "Sub's Own", logo_url: null, accent_color: "#FFD700", source: "own" });
    // A field left out keeps its value; null clears it.
    const partial = await app.request("PUT", `/v1/accounts/${agency.id}/branding`, { key: agency.key, body: { logo_url: null } });
    expect(partial.body).toMatchObject({ display_name: "Acme Voice", logo_url: null, accent_color: "#0B5FFF" });
    const log = await app.request("GET", `/v1/accounts/${agency.id}/audit-log`, { key: agency.key });
    expect(log.body.data.map((r: any) => [r.action, r.changes])).toEqual([
      ["branding.updated", { logo_url: ["https://cdn.example.test/acme.png", null] }],
      ["branding.updated", { display_name: [null, "Acme Voice"], logo_url: [null, "https://cdn.example.test/acme.png"], accent_color: [null, "#0B5FFF"] }],
      // Its subaccount opened, then its first key, then itself opened.
      ["subaccount.created", { subaccount_id: [null, sub.id], name: [null, "Brand sub"] }],
      ["api_key.created", expect.anything()],
      ["account.created", expect.anything()],
    ]);
    const subLog = await app.request("GET", `/v1/accounts/${sub.id}/audit-log`, { key: sub.key });
    expect(subLog.body.data[0].actor.type).toBe("operator");
  });

  it("refuses a logo that is not https, a colour that is not #RRGGBB and a read key, writing nothing", async () => {
    const account = await app.createAccount({ name: "Brand rules", type: "user" });
    for (const body of [{ logo_url: "http://cdn.example.test/a.png" }, { logo_url: "javascript:alert(1)" }, { accent_color: "red" }, { accent_color: "#12345" }, { display_name: "" }, { colour: "#000000" }]) {
      const res = await app.request("PUT", `/v1/accounts/${account.id}/branding`, { key: account.key, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    const readKey = await app.request("POST", `/v1/accounts/${account.id}/api-keys`, { key: account.key, body: { scope: "read" } });
    expect((await app.request("PUT", `/v1/accounts/${account.id}/branding`, { key: readKey.body.key, body: { display_name: "x" } })).status).toBe(403);
    expect(await queryRows(app.db.db, sql`select account_id from account_branding where account_id = ${account.id}`)).toEqual([]);
  });
});
