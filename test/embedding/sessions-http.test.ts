import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { CARDS } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Session links (docs/concepts.md) through the real server and database: mint with the operator or
// the account's full key, exchange the one-time code, use the token within its bounds.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp(
    { PREPAID_PAYMENTS: "sandbox", PREPAID_PUBLIC_URL: "https://billing.example.test", PREPAID_RATE_LIMITS: "session_card_saves=2/1h" },
    { worker: false },
  );
});
afterAll(async () => app?.close());

const codeOf = (url: string) => {
  const match = /^https:\/\/billing\.example\.test\/s#code=([A-Za-z0-9]+)$/.exec(url);
  if (!match) throw new Error(`not a session link: ${url}`);
  return match[1]!;
};

async function mint(accountId: string, key: string, body: Record<string, unknown> = {}) {
  return app.request("POST", `/v1/accounts/${accountId}/sessions`, { key, body });
}

async function openSession(account: { id: string; key: string }, body: Record<string, unknown> = {}) {
  const link = await mint(account.id, account.key, body);
  expect(link.status).toBe(201);
  const exchanged = await app.request("POST", "/v1/sessions/exchange", { body: { code: codeOf(link.body.url) } });
  expect(exchanged.status).toBe(200);
  return { link: link.body, token: exchanged.body.token as string, exchanged: exchanged.body };
}

describe("session links", () => {
  it("the operator or the account's own full key mints a link; its code works once, within 60 s", async () => {
    const account = await app.createAccount({ name: "Linked", type: "user" });
    const byAdmin = await mint(account.id, app.adminKey, { role: "viewer", ttl_seconds: 600, return_url: "https://app.example.test/home" });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.id).toMatch(/^ses_/);
    expect(byAdmin.body.role).toBe("viewer");
    const expiresInSeconds = (Date.parse(byAdmin.body.expires_at) - Date.now()) / 1000;
    expect(expiresInSeconds).toBeGreaterThan(590);
    expect(expiresInSeconds).toBeLessThan(610);

    const code = codeOf(byAdmin.body.url);
    const first = await app.request("POST", "/v1/sessions/exchange", { body: { code } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ account_id: account.id, role: "viewer", session_id: byAdmin.body.id, return_url: "https://app.example.test/home" });
    expect(first.body.token).toMatch(/^pps_/);
    const me = await app.request("GET", "/v1/me", { key: first.body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(account.id);

    // A second use of the code is refused — and ends the session it opened: the code leaked.
    const again = await app.request("POST", "/v1/sessions/exchange", { body: { code } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("unauthorized");
    expect((await app.request("GET", "/v1/me", { key: first.body.token })).status).toBe(401);

    const own = await mint(account.id, account.key);
    expect(own.status).toBe(201);
    expect(own.body.role).toBe("owner");
  });

  it("an unknown or expired code is 401; an expired session's token is 401", async () => {
    const account = await app.createAccount({ name: "Expiring", type: "user" });
    expect((await app.request("POST", "/v1/sessions/exchange", { body: { code: "nosuchcode" } })).status).toBe(401);
    const link = await mint(account.id, account.key);
    // 61 s later, as far as the code knows (its expiry moved back instead of the test waiting).
    await app.db.db.execute(sql`update sessions set code_expires_at = now() - interval '1 second' where id = ${link.body.id}`);
    expect((await app.request("POST", "/v1/sessions/exchange", { body: { code: codeOf(link.body.url) } })).status).toBe(401);

    const { token, link: second } = await openSession(account);
    expect((await app.request("GET", `/v1/accounts/${account.id}`, { key: token })).status).toBe(200);
    await app.db.db.execute(sql`update sessions set expires_at = now() - interval '1 second' where id = ${second.id}`);
    expect((await app.request("GET", `/v1/accounts/${account.id}`, { key: token })).status).toBe(401);
  });

  it("a viewer reads and is refused every write (403); an owner writes", async () => {
    const account = await app.createAccount({ name: "Viewed", type: "user" });
    const viewer = await openSession(account, { role: "viewer" });
    for (const path of [`/v1/accounts/${account.id}`, `/v1/accounts/${account.id}/auto-recharge`, `/v1/accounts/${account.id}/payment-methods`, `/v1/accounts/${account.id}/audit-log`]) {
      expect((await app.request("GET", path, { key: viewer.token })).status, path).toBe(200);
    }
    const writes: [string, string, unknown][] = [
      ["PUT", `/v1/accounts/${account.id}/auto-recharge`, { enabled: false }],
      ["PATCH", `/v1/accounts/${account.id}`, { web_widget: true }],
      ["POST", `/v1/accounts/${account.id}/payment-methods`, { card: { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" } }],
      ["POST", `/v1/accounts/${account.id}/recharges`, { amount: "10.00" }],
      ["PUT", `/v1/accounts/${account.id}/branding`, { display_name: "Mine" }],
    ];
    for (const [method, path, body] of writes) {
      const res = await app.request(method, path, { key: viewer.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    expect(await queryRows(app.db.db, sql`select id from payment_methods where account_id = ${account.id}`)).toEqual([]);

    // A campaign pre-flight writes nothing: a viewer (and a read key) may ask it (issue 27, item 13).
    const forecast = await app.request("POST", `/v1/accounts/${account.id}/preflight`, { key: viewer.token, body: { calls: 10, average_seconds: 60 } });
    expect(forecast.status, JSON.stringify(forecast.body)).toBe(200);
    expect(forecast.body).toMatchObject({ cost: "1.80", covered_calls: 0 });
    const readKey = (await app.request("POST", `/v1/accounts/${account.id}/api-keys`, { key: app.adminKey, body: { scope: "read" } })).body.key as string;
    expect((await app.request("POST", `/v1/accounts/${account.id}/preflight`, { key: readKey, body: { calls: 1, average_seconds: 60 } })).status).toBe(200);

    const owner = await openSession(account);
    expect((await app.request("PATCH", `/v1/accounts/${account.id}`, { key: owner.token, body: { web_widget: true } })).status).toBe(200);
  });

  it("a token reaches its own account only: another account is 404, admin routes and key management 403", async () => {
    const account = await app.createAccount({ name: "Fenced", type: "user" });
    const other = await app.createAccount({ name: "Neighbour", type: "user" });
    const { token } = await openSession(account);
    expect((await app.request("GET", `/v1/accounts/${other.id}`, { key: token })).status).toBe(404);
    expect((await app.request("GET", `/v1/accounts/${other.id}/transactions`, { key: token })).status).toBe(404);
    const admin: [string, string, unknown][] = [
      ["POST", "/v1/accounts", { name: "x", type: "user" }],
      ["POST", `/v1/accounts/${account.id}/adjustments`, { amount: "5.00", reason: "self-service" }],
      ["POST", `/v1/accounts/${account.id}/api-keys`, {}],
      ["GET", `/v1/accounts/${account.id}/api-keys`, undefined],
      ["POST", `/v1/accounts/${account.id}/sessions`, {}],
    ];
    for (const [method, path, body] of admin) {
      expect((await app.request(method, path, { key: token, body })).status, `${method} ${path}`).toBe(403);
    }
    expect((await app.request("GET", "/v1/accounts/" + account.id, { key: token })).body.balance).toBe("0.00");
  });

  it("an agency's session reads its subaccounts but cannot write them; an agency cannot mint for its subaccount", async () => {
    const agency = await app.createAccount({ name: "Agency", type: "agency" });
    const sub = await app.createAccount({ name: "Sub", type: "subaccount", parent_id: agency.id });
    const { token } = await openSession(agency);
    expect((await app.request("GET", `/v1/accounts/${sub.id}`, { key: token })).status).toBe(200);
    expect((await app.request("PUT", `/v1/accounts/${sub.id}/auto-recharge`, { key: token, body: { enabled: false } })).status).toBe(403);
    expect((await mint(sub.id, agency.key)).status).toBe(403);
    const readKey = await app.request("POST", `/v1/accounts/${agency.id}/api-keys`, { key: agency.key, body: { scope: "read" } });
    expect((await mint(agency.id, readKey.body.key)).status).toBe(403);
    expect((await mint(agency.id, sub.key)).status).toBe(404);
  });

  it("ending the session makes its token 401 at once, whatever its role", async () => {
    const account = await app.createAccount({ name: "Ending", type: "user" });
    for (const role of ["owner", "viewer"]) {
      const { token, link } = await openSession(account, { role });
      const current = await app.request("GET", "/v1/sessions/current", { key: token });
      expect(current.body).toMatchObject({ session_id: link.id, role, account_id: account.id });
      expect((await app.request("DELETE", "/v1/sessions/current", { key: token })).status).toBe(200);
      expect((await app.request("GET", "/v1/me", { key: token })).status).toBe(401);
    }
    // An API key has no session to end.
    expect((await app.request("DELETE", "/v1/sessions/current", { key: account.key })).status).toBe(400);
  });

  it("bad input is a 400 with the envelope and writes nothing", async () => {
    const account = await app.createAccount({ name: "Careful", type: "user" });
    const before = await queryRows(app.db.db, sql`select id from sessions where account_id = ${account.id}`);
    for (const body of [{ role: "admin" }, { ttl_seconds: 59 }, { ttl_seconds: 43_201 }, { return_url: "javascript:alert(1)" }, { extra: true }]) {
      const res = await mint(account.id, account.key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect(await queryRows(app.db.db, sql`select id from sessions where account_id = ${account.id}`)).toEqual(before);
    expect((await app.request("POST", "/v1/sessions/exchange", { body: {} })).status).toBe(400);
    expect((await app.request("POST", "/v1/sessions/exchange", { body: { code: "x".repeat(201) } })).status).toBe(400);
  });

  it("card saves made with sessions are limited per client IP (429 with Retry-After)", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    // Three accounts, one browser address: the per-account limit (10/h) never comes into play.
    for (let i = 0; i < 3; i++) {
      const account = await app.createAccount({ name: `Card tester ${i}`, type: "user" });
      const { token } = await openSession(account);
      const res = await app.request("POST", `/v1/accounts/${account.id}/payment-methods`, {
        key: token,
        body: { card: { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" } },
      });
      statuses.push(res.status);
      retryAfter = res.headers.get("Retry-After");
    }
    expect(statuses).toEqual([201, 201, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // A platform's backend with its API key is limited per account, not per IP.
    const backend = await app.createAccount({ name: "Backend", type: "user" });
    expect((await app.request("POST", `/v1/accounts/${backend.id}/payment-methods`, { key: backend.key, body: { card: { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" } } })).status).toBe(201);
  });
});

describe("session exchanges per client IP", () => {
  it("past the limit, an exchange is 429 with Retry-After, even with a valid code", async () => {
    const limited = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_RATE_LIMITS: "session_exchanges=3/1m" }, { worker: false });
    try {
      const account = await limited.createAccount({ name: "Limited", type: "user" });
      for (let i = 0; i < 3; i++) expect((await limited.request("POST", "/v1/sessions/exchange", { body: { code: `guess${i}` } })).status).toBe(401);
      const link = await limited.request("POST", `/v1/accounts/${account.id}/sessions`, { key: account.key });
      const code = new URL(link.body.url).hash.replace("#code=", "");
      const refused = await limited.request("POST", "/v1/sessions/exchange", { body: { code } });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe("rate_limited");
      expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
