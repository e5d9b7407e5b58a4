import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { queryRows } from "../../src/db/database.js";
import { sharedDatabase, spawnServer, type ServerProcess, type SharedDatabase } from "../support/processes.js";
import { CARDS } from "../support/scenario.js";

let shared: SharedDatabase | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  await shared?.cleanup();
});

async function call(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe("the card number", () => {
  it("reaches no table, no log line, no email and no answer, whatever happens to the card", async () => {
    shared = await sharedDatabase();
    const admin = generateKey();
    // Emails go to an outbox folder, scanned with the rest.
    const outbox = await mkdtemp(join(tmpdir(), "prepaid-secrecy-outbox-"));
    server = await spawnServer({ ...shared.env, PREPAID_ADMIN_KEY: admin, PREPAID_WORKER_POLL_MS: "50", PREPAID_OUTBOX_DIR: outbox });
    const account = JSON.parse((await call("POST", "/v1/accounts", admin, { name: "Secrets", type: "user", email: "secrets@example.test" })).text);
    const key = JSON.parse((await call("POST", `/v1/accounts/${account.id}/api-keys`, admin)).text).key;
    const answers: string[] = [];
    const numbers = [...Object.values(CARDS), "4242424242424241" /* fails Luhn */];
    for (const number of numbers) {
      for (const card of [
        { number, exp_month: 12, exp_year: 2034, cvc: "123" },
        { number, exp_month: 1, exp_year: 2001, cvc: "123" },
        { number, exp_month: 12, exp_year: 2034, cvc: "x" },
        { number, exp_month: 12, exp_year: 2034, cvc: "123", extra: true },
      ]) {
        answers.push((await call("POST", `/v1/accounts/${account.id}/payment-methods`, key, { card })).text);
      }
    }
    // Charges on them, so decline paths and notifications run too.
    answers.push((await call("PUT", `/v1/accounts/${account.id}/auto-recharge`, key, { enabled: true, threshold: "100", amount: "50" })).text);
    answers.push((await call("POST", `/v1/accounts/${account.id}/recharges`, key, { amount: "10" })).text);
    await new Promise((r) => setTimeout(r, 1_000));
    const exit = await server.stop();
    server = undefined;

    const handle = await shared.open();
    try {
      const tables = await queryRows<{ table_schema: string; table_name: string }>(
        handle.db,
        sql`select table_schema, table_name from information_schema.tables
            where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'`,
      );
      expect(tables.length).toBeGreaterThan(8);
      let rowsScanned = 0;
      const everything: string[] = [];
      for (const { table_schema, table_name } of tables) {
        const rows = await queryRows<{ row: string }>(
          handle.db,
          sql`select t::text as row from ${sql.identifier(table_schema)}.${sql.identifier(table_name)} t`,
        );
        rowsScanned += rows.length;
        everything.push(...rows.map((r) => r.row));
      }
      expect(rowsScanned).toBeGreaterThan(20);
      const emails = await Promise.all((await readdir(outbox)).map((f) => readFile(join(outbox, f), "utf8")));
      expect(emails.length).toBeGreaterThan(0); // the declines and the receipt were emailed
      await rm(outbox, { recursive: true, force: true });
      const haystacks = { database: everything.join("\n"), logs: exit.output, answers: answers.join("\n"), outbox: emails.join("\n") };
      for (const number of numbers) {
        for (const [where, text] of Object.entries(haystacks)) {
          expect(text.includes(number), `${number} found in ${where}`).toBe(false);
          expect(text.includes(number.slice(0, 12)), `${number.slice(0, 12)}… found in ${where}`).toBe(false);
        }
      }
      expect(haystacks.database).toContain("4242"); // the last 4 are kept, as they should be
    } finally {
      await handle.close();
    }
  }, 120_000);
});
