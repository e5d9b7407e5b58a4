import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { authenticate, createApiKey } from "../accounts/api-keys.js";
import { createAccount } from "../accounts/accounts.js";
import { inTransaction, type Database } from "../db/database.js";
import { newId } from "../ids/prefixed-id.js";
import { postEntry } from "../ledger/ledger.js";
import { usd, type Micros } from "../money/micros.js";
import type { Tx } from "../db/database.js";

/** The keys a newcomer signs in with; kept beside the embedded database, never on PostgreSQL. */
export interface DemoKeys {
  user: { accountId: string; key: string };
  agency: { accountId: string; key: string };
}

const DEMO_KEYS_FILE = "demo-keys.json";

async function credit(tx: Tx, accountId: string, amountMicros: Micros): Promise<void> {
  await postEntry(tx, { accountId, type: "adjustment", amountMicros, entryKey: `adjustment:${newId("txn")}`, reason: "demo credit" });
}

async function createDemoAccounts(db: Database): Promise<DemoKeys> {
  return inTransaction(db, async (tx) => {
    const user = await createAccount(tx, { name: "Demo Voice Co", type: "user", webWidget: true });
    await credit(tx, user.id, usd(12));
    const agency = await createAccount(tx, { name: "Demo Agency", type: "agency" });
    // Two subaccounts with different balances so the agency page has something to compare.
    const dental = await createAccount(tx, { name: "Acme Dental", type: "subaccount", parentId: agency.id, webWidget: true });
    await credit(tx, dental.id, usd(40));
    const realty = await createAccount(tx, { name: "Bright Realty", type: "subaccount", parentId: agency.id });
    await credit(tx, realty.id, 3_100_000n);
    return {
      user: { accountId: user.id, key: (await createApiKey(tx, { role: "account", accountId: user.id })).key },
      agency: { accountId: agency.id, key: (await createApiKey(tx, { role: "account", accountId: agency.id })).key },
    };
  });
}

/**
 * On the embedded default, makes sure a demo user and a demo agency exist and returns their
 * keys, so `npm start` can print something to sign in with. The keys live in a file in the
 * data directory (mode 0600) because only their hashes are in the database; when the file's
 * keys no longer open the database (it was wiped), fresh demo accounts are made.
 */
export async function ensureDemoAccounts(db: Database, dataDir: string, adminKey: string | undefined): Promise<DemoKeys> {
  const file = join(dataDir, DEMO_KEYS_FILE);
  if (existsSync(file)) {
    const saved = JSON.parse(await readFile(file, "utf8")) as DemoKeys;
    const [user, agency] = await Promise.all([authenticate(db, saved.user?.key, adminKey), authenticate(db, saved.agency?.key, adminKey)]);
    if (user?.kind === "account" && agency?.kind === "account") return saved;
  }
  const keys = await createDemoAccounts(db);
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
