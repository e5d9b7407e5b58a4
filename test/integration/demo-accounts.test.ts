import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../../src/accounts/api-keys.js";
import { queryRows } from "../../src/db/database.js";
import { ensureDemoAccounts } from "../../src/demo/demo-accounts.js";
import { Secrets } from "../../src/secrets/secrets.js";
import { TEST_SECRET } from "../support/test-app.js";
import { testDatabase, type TestDatabase } from "../support/test-database.js";

const secrets = new Secrets(TEST_SECRET);

let db: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  db = await testDatabase();
  dataDir = mkdtempSync(join(tmpdir(), "prepaid-demo-"));
});
afterAll(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const keysFile = () => join(dataDir, "demo-keys.json");
const demoUsers = async () =>
  (await queryRows<{ n: bigint }>(db.db, sql`select count(*) as n from accounts where name = 'Demo Voice Co'`))[0]!.n;

describe("demo accounts on the embedded default", () => {
  it("are made once, and the saved keys open them on the next start", async () => {
    const first = await ensureDemoAccounts(db.db, secrets, dataDir, undefined);
    expect((await authenticate(db.db, secrets, first.user.key, undefined))?.kind).toBe("account");
    expect(JSON.parse(readFileSync(keysFile(), "utf8"))).toEqual(first);
    expect(statSync(keysFile()).mode & 0o777).toBe(0o600); // keys: readable by the owner only
    const again = await ensureDemoAccounts(db.db, secrets, dataDir, undefined);
    expect(again).toEqual(first);
    expect(await demoUsers()).toBe(1n);
  });

  // A process killed while writing the file once left it empty, and every start after that died
  // on JSON.parse: the file is now written whole or not at all, and a torn one is made again.
  it.each([
    ["empty", ""],
    ["torn", '{"user": {"accountId": "acct_'],
    ["not keys", "[1, 2]"],
  ])("are made again when the keys file is %s", async (_label, text) => {
    writeFileSync(keysFile(), text);
    const before = await demoUsers();
    const keys = await ensureDemoAccounts(db.db, secrets, dataDir, undefined);
    expect((await authenticate(db.db, secrets, keys.agency.key, undefined))?.kind).toBe("account");
    expect(JSON.parse(readFileSync(keysFile(), "utf8"))).toEqual(keys);
    expect(await demoUsers()).toBe(before + 1n);
  });
});
