import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { fingerprintView } from "../../src/http/idempotency.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_WEBHOOK_ALLOW_PRIVATE: "true" });
});
afterAll(async () => app?.close());

async function raw(method: string, path: string, key: string, body: unknown, idempotencyKey: string) {
  const res = await fetch(`${app.server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const everything = async () => {
  const tables = await queryRows<{ table_name: string }>(
    app.db.db,
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const rows = await Promise.all(
    tables.map(({ table_name }) => queryRows<{ row: string }>(app.db.db, sql.raw(`select t::text as row from "${table_name}" t`))),
  );
  return rows.flat().map((r) => r.row).join("\n");
};

describe("idempotent answers", () => {
  it("replay byte for byte", async () => {
    const first = await raw("POST", "/v1/accounts", app.adminKey, { type: "user", name: "Bytes", web_widget: true }, "bytes-1");
    const again = await raw("POST", "/v1/accounts", app.adminKey, { name: "Bytes", type: "user", web_widget: true }, "bytes-1");
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(first.text);
  });

  it("that carry a new API key or a webhook secret are stored sealed, and replayed whole", async () => {
    const account = JSON.parse((await raw("POST", "/v1/accounts", app.adminKey, { name: "Sealed", type: "user" }, "sealed-acct")).text);
    const made = await raw("POST", `/v1/accounts/${account.id}/api-keys`, app.adminKey, { name: "k" }, "sealed-key");
    const replayed = await raw("POST", `/v1/accounts/${account.id}/api-keys`, app.adminKey, { name: "k" }, "sealed-key");
    expect(replayed.text).toBe(made.text);
    const key = JSON.parse(made.text).key as string;
    const hook = await raw("POST", `/v1/accounts/${account.id}/webhook-endpoints`, key, { url: "http://127.0.0.1:9/hook" }, "sealed-hook");
    expect(hook.status).toBe(201);
    const secret = JSON.parse(hook.text).secret as string;
    expect((await raw("POST", `/v1/accounts/${account.id}/webhook-endpoints`, key, { url: "http://127.0.0.1:9/hook" }, "sealed-hook")).text).toBe(hook.text);
    // One endpoint, not two: the key was honoured.
    expect((await app.request("GET", `/v1/accounts/${account.id}/webhook-endpoints`, { key })).body.data).toHaveLength(1);
    const stored = await everything();
    expect(stored).not.toContain(key.slice(12));
    expect(stored).not.toContain(secret.slice(6));
  });

  it("of a card save are fingerprinted with a keyed hash that covers neither the number nor the CVC", async () => {
    const { id, key } = await app.createAccount({ name: "Card fp", type: "user" });
    const card = { number: "4242424242424242", exp_month: 12, exp_year: 2034, cvc: "123" };
    const saved = await raw("POST", `/v1/accounts/${id}/payment-methods`, key, { card }, "card-1");
    expect(saved.status).toBe(201);
    // Another CVC with the same key is the same request as far as the fingerprint can tell.
    const again = await raw("POST", `/v1/accounts/${id}/payment-methods`, key, { card: { ...card, cvc: "999" } }, "card-1");
    expect(again.text).toBe(saved.text);
    const [row] = await queryRows<{ request_fingerprint: string }>(
      app.db.db,
      sql`select request_fingerprint from idempotency_keys where principal = ${id} and key = 'card-1'`,
    );
    const body = `POST /v1/accounts/${id}/payment-methods\n${JSON.stringify(fingerprintView({ card }))}`;
    expect(JSON.stringify(fingerprintView({ card }))).not.toMatch(/4242424242424242|"cvc"/);
    expect(row!.request_fingerprint).toBe(app.config.secrets.mac("idempotency", body));
    const unsalted = createHash("sha256").update(`POST /v1/accounts/${id}/payment-methods\n${JSON.stringify({ card })}`).digest("hex");
    expect(row!.request_fingerprint).not.toBe(unsalted);
    expect(await everything()).not.toContain(unsalted);
  });
});

describe("API answers", () => {
  it("are never sniffed or cached", async () => {
    for (const [path, key] of [["/v1/pricing", app.adminKey], ["/v1/accounts/acct_nope", app.adminKey], ["/v1/me", "ppk_wrong"]] as const) {
      const res = await fetch(`${app.server.url}${path}`, { headers: { Authorization: `Bearer ${key}` } });
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });
});
