import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { queryRows } from "../../src/db/database.js";
import { jsonClient, sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";

let shared: SharedDatabase | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  await shared?.cleanup();
});

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

describe("session codes and tokens at rest and in logs", () => {
  it("appear in no table and no log line: not in the clear, not as an unsalted hash", async () => {
    shared = await sharedDatabase();
    const admin = generateKey();
    server = await spawnServer({ ...shared.env, PREPAID_ADMIN_KEY: admin, PREPAID_DEMO: "false" });
    const call = jsonClient(server.url);
    const account = await call("POST", "/v1/accounts", admin, { name: "Secretive", type: "user" });
    const secrets: string[] = [];
    for (const role of ["owner", "viewer"]) {
      const link = await call("POST", `/v1/accounts/${account.body.id}/sessions`, admin, { role });
      expect(link.status).toBe(201);
      const code = new URL(link.body.url).hash.replace("#code=", "");
      const exchanged = await call("POST", "/v1/sessions/exchange", undefined, { code });
      expect(exchanged.status).toBe(200);
      const token: string = exchanged.body.token;
      secrets.push(code, token);
      // Every path a credential takes through the server: success, refusal, bad input, reuse, end.
      expect((await call("GET", "/v1/me", token)).status).toBe(200);
      expect((await call("PATCH", `/v1/accounts/${account.body.id}`, token, { web_widget: true })).status).toBe(role === "owner" ? 200 : 403);
      expect((await call("PATCH", `/v1/accounts/${account.body.id}`, token, { web_widget: "yes" })).status).toBe(role === "owner" ? 400 : 403);
      expect((await call("GET", "/v1/accounts/acct_nobody", token)).status).toBe(404);
      expect((await call("POST", "/v1/sessions/exchange", undefined, { code })).status).toBe(401);
      expect((await call("GET", "/v1/me", `${token}x`)).status).toBe(401);
      expect((await call("GET", "/v1/me", token)).status).toBe(401); // the reused code ended it
    }
    const exit = await server.stop();
    server = undefined;

    const forms = secrets.flatMap((s) => [s, sha256Hex(s), s.slice(0, 16)]);
    for (const form of forms) expect(exit.output).not.toContain(form);

    const handle = await shared.open();
    try {
      const tables = await queryRows<{ table_name: string }>(handle.db, sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
      expect(tables.map((t) => t.table_name)).toContain("sessions");
      let everything = "";
      for (const { table_name } of tables) {
        const rows = await queryRows<{ row: string }>(handle.db, sql`select t::text as row from ${sql.identifier(table_name)} t`);
        const text = rows.map((r) => r.row).join("\n");
        for (const form of forms) expect(text.includes(form), `${table_name} holds a session secret`).toBe(false);
        everything += text;
      }
      // The scan saw the rows it should: both sessions, and the audit rows of their opening.
      const sessions = await queryRows<{ id: string }>(handle.db, sql`select id from sessions`);
      expect(sessions).toHaveLength(2);
      for (const { id } of sessions) expect(everything).toContain(id);
      expect(everything).toContain("session.opened");
    } finally {
      await handle.close();
    }
  }, 90_000);
});
