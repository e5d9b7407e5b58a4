import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";

let shared: SharedDatabase | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  await shared?.cleanup();
});

describe("a request that fails in the database", () => {
  it("is logged without the statement's parameters: no key, email or body", async () => {
    shared = await sharedDatabase();
    const handle = await shared.open();
    // Every insert of an account fails inside PostgreSQL, as a constraint or a bug would.
    await handle.db.execute(sql`create function refuse_accounts() returns trigger language plpgsql as $$
                                 begin raise exception 'refused by the test trigger'; end $$`);
    await handle.db.execute(sql`create trigger refuse_accounts before insert on accounts for each row execute function refuse_accounts()`);
    await handle.close();
    const admin = generateKey();
    server = await spawnServer({ ...shared.env, PREPAID_ADMIN_KEY: admin, PREPAID_DEMO: "false" });
    const email = "private.person@example.test";
    const name = "Secret Name 7731";
    const res = await fetch(`${server.url}/v1/accounts`, {
      method: "POST",
      headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name, type: "user", email }),
    });
    expect(res.status).toBe(500);
    const requestId = ((await res.json()) as { error: { request_id: string } }).error.request_id;
    const exit = await server.stop();
    server = undefined;
    // The failure is logged, with its request id and what kind of error it was...
    expect(exit.output).toContain(requestId);
    expect(exit.output).toContain("refused by the test trigger");
    // ...and nothing the caller sent: not the key (nor its first 12 characters), the email or the name.
    for (const secret of [admin.slice(0, 12), email, name]) expect(exit.output).not.toContain(secret);
  }, 60_000);
});
