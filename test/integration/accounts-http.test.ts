import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe("accounts over HTTP", () => {
  it("creates an account with an empty wallet and shows its rate and minutes", async () => {
    const { id, key } = await app.createAccount({ name: "Acme Voice", type: "user", web_widget: true });
    const got = await app.request("GET", `/v1/accounts/${id}`, { key });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id,
      name: "Acme Voice",
      type: "user",
      parent_id: null,
      web_widget: true,
      status: "active",
      balance: "0.00",
      rate_per_minute: "0.16",
      minutes_available: "0.00",
    });
    expect(id).toMatch(/^acct_/);
    expect(key).toMatch(/^ppk_/);
  });

  it("follows the current rate: the widget toggle changes minutes available", async () => {
    const { id, key } = await app.createAccount({ name: "Widget", type: "user" });
    const credit = await app.request("POST", `/v1/accounts/${id}/adjustments`, {
      key: app.adminKey,
      body: { amount: "50.00", reason: "opening balance" },
    });
    expect(credit.status).toBe(201);
    expect(credit.body).toMatchObject({ type: "adjustment", amount: "50.00", balance_after: "50.00" });
    expect(credit.body.id).toMatch(/^txn_/);

    const off = await app.request("GET", `/v1/accounts/${id}`, { key });
    expect(off.body).toMatchObject({ balance: "50.00", rate_per_minute: "0.18", minutes_available: "277.77" });
    const on = await app.request("PATCH", `/v1/accounts/${id}`, { key, body: { web_widget: true } });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ web_widget: true, rate_per_minute: "0.16", minutes_available: "312.50" });
  });

  it("lists an agency's subaccounts newest first, with cursor paging", async () => {
    const agency = await app.createAccount({ name: "Agency", type: "agency" });
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push((await app.createAccount({ name: `Sub ${i}`, type: "subaccount", parent_id: agency.id })).id);
    const first = await app.request("GET", `/v1/accounts/${agency.id}/subaccounts?limit=2`, { key: agency.key });
    expect(first.status).toBe(200);
    expect(first.body.data.map((a: { id: string }) => a.id)).toEqual([created[2], created[1]]);
    expect(first.body.data[0]).toMatchObject({ balance: "0.00", minutes_available: "0.00", status: "active" });
    const second = await app.request("GET", `/v1/accounts/${agency.id}/subaccounts?limit=2&cursor=${first.body.next_cursor}`, {
      key: agency.key,
    });
    expect(second.body.data.map((a: { id: string }) => a.id)).toEqual([created[0]]);
    expect(second.body.next_cursor).toBeNull();
  });

  it("refuses a subaccount without an agency parent, and a parent on a user", async () => {
    const user = await app.createAccount({ name: "Plain", type: "user" });
    const cases = [
      { name: "orphan", type: "subaccount" },
      { name: "wrong parent", type: "subaccount", parent_id: user.id },
      { name: "user with parent", type: "user", parent_id: user.id },
      { name: "", type: "user" },
      { name: "bad type", type: "reseller" },
    ];
    for (const body of cases) {
      const res = await app.request("POST", "/v1/accounts", { key: app.adminKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });

  it("lists transactions newest first with paging", async () => {
    const { id, key } = await app.createAccount({ name: "Paging", type: "user" });
    for (const amount of ["1.00", "2.00", "-0.50"]) {
      await app.request("POST", `/v1/accounts/${id}/adjustments`, { key: app.adminKey, body: { amount, reason: "test" } });
    }
    const page1 = await app.request("GET", `/v1/accounts/${id}/transactions?limit=2`, { key });
    expect(page1.body.data.map((t: { amount: string; balance_after: string }) => [t.amount, t.balance_after])).toEqual([
      ["-0.50", "2.50"],
      ["2.00", "3.00"],
    ]);
    const page2 = await app.request("GET", `/v1/accounts/${id}/transactions?limit=2&cursor=${page1.body.next_cursor}`, { key });
    expect(page2.body.data.map((t: { amount: string }) => t.amount)).toEqual(["1.00"]);
    expect(page2.body.next_cursor).toBeNull();
    const bad = await app.request("GET", `/v1/accounts/${id}/transactions?cursor=garbage`, { key });
    expect(bad.status).toBe(400);
  });
});

describe("authentication", () => {
  it("answers a missing, wrong or revoked key with the same 401 envelope", async () => {
    const { id } = await app.createAccount({ name: "Auth", type: "user" });
    for (const key of [undefined, "ppk_wrong", "ppk_" + "x".repeat(40), app.adminKey + "x"]) {
      const res = await app.request("GET", `/v1/accounts/${id}`, { key });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: "unauthorized", message: "missing, wrong, revoked or expired API key or session" });
      expect(res.body.error.request_id).toMatch(/^req_/);
    }
  });

  it("stores only a hash of each key", async () => {
    const { key } = await app.createAccount({ name: "Hash", type: "user" });
    const { sql } = await import("drizzle-orm");
    const { queryRows } = await import("../../src/db/database.js");
    const rows = await queryRows<{ row: string }>(app.db.db, sql`select api_keys::text as row from api_keys`);
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows) expect(row).not.toContain(key.slice(12));
  });

  it("keeps operator routes for the operator key", async () => {
    const { id, key } = await app.createAccount({ name: "Not admin", type: "user" });
    expect((await app.request("POST", "/v1/accounts", { key, body: { name: "x", type: "user" } })).status).toBe(403);
    // Keys of its own it may make with a full key (docs/concepts.md); another account's, never.
    const other = await app.createAccount({ name: "Other", type: "user" });
    expect((await app.request("POST", `/v1/accounts/${other.id}/api-keys`, { key })).status).toBe(404);
    const adj = await app.request("POST", `/v1/accounts/${id}/adjustments`, { key, body: { amount: "5.00", reason: "self" } });
    expect(adj.status).toBe(403);
    expect((await app.request("GET", `/v1/accounts/${id}`, { key })).body.balance).toBe("0.00");
  });
});

describe("tenancy", () => {
  it("hides another tenant's account (404) and lets an agency read but not write its subaccount (403)", async () => {
    const a = await app.createAccount({ name: "A", type: "user" });
    const b = await app.createAccount({ name: "B", type: "user" });
    const agency = await app.createAccount({ name: "Agency 1", type: "agency" });
    const sub = await app.createAccount({ name: "Sub of 1", type: "subaccount", parent_id: agency.id });
    const otherAgency = await app.createAccount({ name: "Agency 2", type: "agency" });

    // A's key on B's account → 404, for reads and writes alike.
    expect((await app.request("GET", `/v1/accounts/${b.id}`, { key: a.key })).status).toBe(404);
    const crossWrite = await app.request("PATCH", `/v1/accounts/${b.id}`, { key: a.key, body: { web_widget: true } });
    expect(crossWrite.status).toBe(404);
    expect(crossWrite.body.error.code).toBe("not_found");
    expect((await app.request("GET", `/v1/accounts/${b.id}/transactions`, { key: a.key })).status).toBe(404);

    // The agency reads its subaccount …
    const read = await app.request("GET", `/v1/accounts/${sub.id}`, { key: agency.key });
    expect(read.status).toBe(200);
    expect(read.body.parent_id).toBe(agency.id);
    expect((await app.request("GET", `/v1/accounts/${sub.id}/transactions`, { key: agency.key })).status).toBe(200);
    // … but may not change it: 403, and nothing is written.
    const write = await app.request("PATCH", `/v1/accounts/${sub.id}`, { key: agency.key, body: { web_widget: true } });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe("forbidden");
    expect((await app.request("GET", `/v1/accounts/${sub.id}`, { key: sub.key })).body.web_widget).toBe(false);

    // Another agency's subaccount → 404; a subaccount cannot read its agency.
    expect((await app.request("GET", `/v1/accounts/${sub.id}`, { key: otherAgency.key })).status).toBe(404);
    expect((await app.request("PATCH", `/v1/accounts/${sub.id}`, { key: otherAgency.key, body: { web_widget: true } })).status).toBe(404);
    expect((await app.request("GET", `/v1/accounts/${agency.id}`, { key: sub.key })).status).toBe(404);
    expect((await app.request("GET", `/v1/accounts/${agency.id}/subaccounts`, { key: otherAgency.key })).status).toBe(404);
  });

  it("gives the operator read access but not the account's own writes", async () => {
    const { id } = await app.createAccount({ name: "Op", type: "user" });
    expect((await app.request("GET", `/v1/accounts/${id}`, { key: app.adminKey })).status).toBe(200);
    expect((await app.request("PATCH", `/v1/accounts/${id}`, { key: app.adminKey, body: { web_widget: true } })).status).toBe(403);
  });

  // Issue 28, item 3: opening an account is a change like any other: in its log and its agency's,
  // and the operator reads every account's log in one list, filtered.
  it("audits opening an account and a subaccount, in the new account's log and the agency's; the operator's log across accounts filters", async () => {
    const agency = await app.createAccount({ name: "Audit Agency", type: "agency" });
    const sub = await app.createAccount({ name: "Audit Sub", type: "subaccount", parent_id: agency.id });
    const own = (await app.request("GET", `/v1/accounts/${sub.id}/audit-log`, { key: sub.key })).body.data as Array<{ action: string; actor: { type: string; label: string }; changes: Record<string, unknown> }>;
    const opened = own.find((e) => e.action === "account.created");
    expect(opened).toMatchObject({ actor: { type: "operator", label: "The operator" }, changes: { name: [null, "Audit Sub"], type: [null, "subaccount"], parent_id: [null, agency.id] } });
    const parents = (await app.request("GET", `/v1/accounts/${agency.id}/audit-log`, { key: agency.key })).body.data as Array<{ action: string; changes: Record<string, unknown> }>;
    expect(parents.find((e) => e.action === "subaccount.created")?.changes).toEqual({ subaccount_id: [null, sub.id], name: [null, "Audit Sub"] });

    const across = await app.request("GET", `/v1/audit-log?action=account.created&account_id=${sub.id}`, { key: app.adminKey });
    expect(across.status).toBe(200);
    expect(across.body.data).toEqual([expect.objectContaining({ account_id: sub.id, account_name: "Audit Sub", action: "account.created" })]);
    const byOperator = await app.request("GET", `/v1/audit-log?actor_type=operator&limit=100`, { key: app.adminKey });
    expect((byOperator.body.data as Array<{ actor: { type: string } }>).every((e) => e.actor.type === "operator")).toBe(true);
    expect((await app.request("GET", "/v1/audit-log", { key: agency.key })).status).toBe(403);
  });
});
