import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox" }, { worker: false });
});
afterAll(async () => app?.close());

const openConsole = async (key: string, body: unknown = {}) => app.request("POST", "/v1/operator/sessions", { key, body });

describe("the operator console's session (issue 15: the operator key could not sign in)", () => {
  it("stands for the operator, is audited by its own id, and ends when asked", async () => {
    const opened = await openConsole(app.adminKey, { ttl_seconds: 600 });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const { token, session_id: sessionId } = opened.body as { token: string; session_id: string; expires_at: string };
    expect(token).toMatch(/^pps_/);
    expect(Date.parse(opened.body.expires_at) - Date.now()).toBeGreaterThan(590_000);
    expect(Date.parse(opened.body.expires_at) - Date.now()).toBeLessThanOrEqual(600_000);

    const current = await app.request("GET", "/v1/sessions/current", { key: token });
    expect(current.body).toMatchObject({ session_id: sessionId, account_id: null, role: "operator" });
    // The operator's work: create an account, adjust it; the audit log names this session.
    const created = await app.request("POST", "/v1/accounts", { key: token, body: { name: "Console Made", type: "user" } });
    expect(created.status).toBe(201);
    const adjusted = await app.request("POST", `/v1/accounts/${created.body.id}/adjustments`, { key: token, body: { amount: "5.00", reason: "goodwill for a dropped call" } });
    expect(adjusted.status).toBe(201);
    const audit = await app.request("GET", `/v1/accounts/${created.body.id}/audit-log`, { key: app.adminKey });
    expect(audit.body.data[0]).toMatchObject({ action: "balance.adjusted", actor: { type: "operator", id: sessionId } });
    expect((await app.request("GET", "/v1/accounts?limit=1", { key: token })).status).toBe(200);

    // A session cannot extend itself; it is refused once ended, on every route.
    expect((await openConsole(token)).status).toBe(403);
    expect((await app.request("DELETE", "/v1/sessions/current", { key: token })).status).toBe(200);
    expect((await app.request("GET", "/v1/accounts?limit=1", { key: token })).status).toBe(401);
  });

  it("is refused to an account's key and a Payments-page session; bad input is a 400", async () => {
    const account = await app.createAccount({ name: "Not the operator", type: "user" });
    expect((await openConsole(account.key)).status).toBe(403);
    const link = await app.request("POST", `/v1/accounts/${account.id}/sessions`, { key: app.adminKey, body: { role: "owner" } });
    const code = new URL(link.body.url).hash.replace("#code=", "");
    const exchanged = await app.request("POST", "/v1/sessions/exchange", { body: { code } });
    expect((await openConsole(exchanged.body.token)).status).toBe(403);
    for (const body of [{ ttl_seconds: 59 }, { ttl_seconds: 43_201 }, { ttl_seconds: "600" }, { role: "owner" }]) {
      const res = await openConsole(app.adminKey, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });

  it("keeps only an HMAC of the token: not the token, nor an unsalted hash of it", async () => {
    const { token, session_id: id } = (await openConsole(app.adminKey)).body as { token: string; session_id: string };
    const [row] = await queryRows<Record<string, unknown>>(app.db.db, sql`select * from sessions where id = ${id}`);
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(token);
    const { createHash } = await import("node:crypto");
    for (const algorithm of ["sha256", "sha1", "md5"]) expect(stored).not.toContain(createHash(algorithm).update(token).digest("hex"));
    expect(row).toMatchObject({ role: "operator", account_id: null, code_hmac: null });
  });
});
