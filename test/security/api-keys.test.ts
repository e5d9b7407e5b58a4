import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdminKey } from "../../src/accounts/admin-key.js";
import { authenticate } from "../../src/accounts/api-keys.js";
import { queryRows } from "../../src/db/database.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
let second: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // A second server process's worth of app on the same database: revocation must reach it.
  second = await startTestApp({ PREPAID_ADMIN_KEY: app.adminKey }, { db: app.db, worker: false });
});
afterAll(async () => {
  await second?.close();
  await app?.close();
});

describe("API key lifecycle (docs/concepts.md)", () => {
  it("lists keys without the key or its hash, creates scoped keys, and an account's full key manages its own", async () => {
    const { id, key } = await app.createAccount({ name: "Keys", type: "user" });
    const made = await app.request("POST", `/v1/accounts/${id}/api-keys`, { key, body: { name: "dialer", scope: "usage" } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ account_id: id, name: "dialer", scope: "usage", revoked_at: null, expires_at: null });
    expect(made.body.key).toMatch(/^ppk_/);
    expect(made.body.prefix).toBe(made.body.key.slice(0, 12));
    const list = await app.request("GET", `/v1/accounts/${id}/api-keys`, { key });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(made.body.key);
    expect(text).not.toContain(key);
    for (const k of list.body.data) expect(Object.keys(k).sort()).toEqual(["account_id", "created_at", "expires_at", "id", "last_used_at", "name", "prefix", "revoked_at", "scope"]);
  });

  it("a read key may only GET; a usage key may start calls and report usage, nothing else", async () => {
    const { id, key } = await app.createAccount({ name: "Scopes", type: "user" });
    const read = (await app.request("POST", `/v1/accounts/${id}/api-keys`, { key, body: { scope: "read" } })).body.key;
    const usage = (await app.request("POST", `/v1/accounts/${id}/api-keys`, { key, body: { scope: "usage" } })).body.key;
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: read })).status).toBe(200);
    const patch = await app.request("PATCH", `/v1/accounts/${id}`, { key: read, body: { web_widget: true } });
    expect(patch.status).toBe(403);
    expect(patch.body.error.code).toBe("forbidden");
    expect((await app.request("GET", `/v1/accounts/${id}/api-keys`, { key: read })).status).toBe(403);
    expect((await app.request("PATCH", `/v1/accounts/${id}`, { key: usage, body: { web_widget: true } })).status).toBe(403);
    expect((await app.request("POST", `/v1/accounts/${id}/recharges`, { key: usage, body: { amount: "10" } })).status).toBe(403);
    // Not refused by scope: refused for credit (an empty wallet), which proves the route ran.
    const call = await app.request("POST", "/v1/calls", { key: usage, body: { account_id: id } });
    expect(call.status).toBe(402);
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: usage })).status).toBe(200);
    // Nothing was written by the refused requests.
    expect((await app.request("GET", `/v1/accounts/${id}`, { key })).body.web_widget).toBe(false);
  });

  it("a revoked key is refused at once by every process; an expired key too", async () => {
    const { id, key } = await app.createAccount({ name: "Revoke", type: "user" });
    const made = (await app.request("POST", `/v1/accounts/${id}/api-keys`, { key, body: { name: "old" } })).body;
    expect((await second.request("GET", `/v1/accounts/${id}`, { key: made.key })).status).toBe(200);
    const revoked = await app.request("DELETE", `/v1/accounts/${id}/api-keys/${made.id}`, { key });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect((await second.request("GET", `/v1/accounts/${id}`, { key: made.key })).status).toBe(401);
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: made.key })).status).toBe(401);
    // Revoking it again changes nothing: the same answer, and no second audit row (issue 27, item 12).
    const again = await app.request("DELETE", `/v1/accounts/${id}/api-keys/${made.id}`, { key });
    expect(again.status).toBe(200);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
    const audit = (await app.request("GET", `/v1/accounts/${id}/audit-log`, { key })).body.data as Array<{ action: string }>;
    expect(audit.filter((a) => a.action === "api_key.revoked")).toHaveLength(1);

    // Long enough to be used once on a loaded machine; the wait below passes it.
    const soon = new Date(Date.now() + 4_000).toISOString();
    const expiring = (await app.request("POST", `/v1/accounts/${id}/api-keys`, { key, body: { expires_at: soon } })).body;
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: expiring.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(soon) - Date.now() + 300)));
    expect((await second.request("GET", `/v1/accounts/${id}`, { key: expiring.key })).status).toBe(401);
    const past = await app.request("POST", `/v1/accounts/${id}/api-keys`, { key, body: { expires_at: "2020-01-01T00:00:00Z" } });
    expect(past.status).toBe(400);
  });

  it("rotation gives a new key with the same scope; the old one works until its grace ends", async () => {
    const { id, key } = await app.createAccount({ name: "Rotate", type: "user" });
    const old = (await app.request("POST", `/v1/accounts/${id}/api-keys`, { key, body: { name: "ci", scope: "read" } })).body;
    const rotated = await app.request("POST", `/v1/accounts/${id}/api-keys/${old.id}/rotate`, { key, body: { grace_seconds: 1 } });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ name: "ci", scope: "read" });
    expect(rotated.body.previous.id).toBe(old.id);
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: old.key })).status).toBe(200);
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: rotated.body.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_300));
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: old.key })).status).toBe(401);
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: rotated.body.key })).status).toBe(200);
    const bad = await app.request("POST", `/v1/accounts/${id}/api-keys/${old.id}/rotate`, { key, body: { grace_seconds: 86_401 } });
    expect(bad.status).toBe(400);
  });

  it("keeps last_used_at, and an agency cannot manage its subaccount's keys", async () => {
    const agency = await app.createAccount({ name: "Agency", type: "agency" });
    const sub = await app.createAccount({ name: "Sub", type: "subaccount", parent_id: agency.id });
    await app.request("GET", `/v1/accounts/${sub.id}`, { key: sub.key });
    const used = await app.request("GET", `/v1/accounts/${sub.id}/api-keys`, { key: sub.key });
    expect(used.body.data[0].last_used_at).not.toBeNull();
    expect((await app.request("GET", `/v1/accounts/${sub.id}/api-keys`, { key: agency.key })).status).toBe(403);
    expect((await app.request("POST", `/v1/accounts/${sub.id}/api-keys`, { key: agency.key })).status).toBe(403);
  });

  it("retires the operator key generated at first start once PREPAID_ADMIN_KEY is set", async () => {
    const secrets = app.config.secrets;
    const generated = await ensureAdminKey(app.db.db, secrets, undefined);
    expect(generated).toMatch(/^ppk_/);
    expect((await authenticate(app.db.db, secrets, generated, undefined))?.kind).toBe("admin");
    await ensureAdminKey(app.db.db, secrets, "ppk_set_by_the_operator_now");
    expect(await authenticate(app.db.db, secrets, generated, undefined)).toBeUndefined();
  });

  it("stores no key in the clear and no unsalted hash of one", async () => {
    const { id, key } = await app.createAccount({ name: "At rest", type: "user" });
    const rows = await queryRows<{ row: string }>(app.db.db, sql`select api_keys::text as row from api_keys where account_id = ${id}`);
    const text = rows.map((r) => r.row).join("\n");
    expect(text).not.toContain(key.slice(12));
    const { createHash } = await import("node:crypto");
    expect(text).not.toContain(createHash("sha256").update(key).digest("hex"));
  });
});
