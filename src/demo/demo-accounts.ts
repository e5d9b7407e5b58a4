import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { authenticate, createApiKey } from "../accounts/api-keys.js";
import type { Secrets } from "../secrets/secrets.js";
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

/**
 * Creates the demo accounts and writes their keys to `file` before the transaction commits:
 * a process killed before the commit leaves either no file or one whose keys open nothing
 * (so the next start makes them again, with no half set left in the database), and one killed
 * after it leaves a file that works.
 */
async function createDemoAccounts(db: Database, secrets: Secrets, file: string): Promise<DemoKeys> {
  return inTransaction(db, async (tx) => {
    const user = await createAccount(tx, { name: "Demo Voice Co", type: "user", webWidget: true });
    await credit(tx, user.id, usd(12));
    const agency = await createAccount(tx, { name: "Demo Agency", type: "agency" });
    // Two subaccounts with different balances so the agency page has something to compare.
    const dental = await createAccount(tx, { name: "Acme Dental", type: "subaccount", parentId: agency.id, webWidget: true });
    await credit(tx, dental.id, usd(40));
    const realty = await createAccount(tx, { name: "Bright Realty", type: "subaccount", parentId: agency.id });
    await credit(tx, realty.id, 3_100_000n);
    const keys: DemoKeys = {
      user: { accountId: user.id, key: (await createApiKey(tx, secrets, { role: "account", accountId: user.id }, { name: "demo" })).key },
      agency: { accountId: agency.id, key: (await createApiKey(tx, secrets, { role: "account", accountId: agency.id }, { name: "demo" })).key },
    };
    await writeFileAtomically(file, `${JSON.stringify(keys, null, 2)}\n`);
    return keys;
  });
}

/** The whole text or the old file, never a torn one: written beside it, synced, renamed over it. */
async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

/** The saved keys, or null when there is no file or it cannot be read as keys (torn, edited). */
async function readDemoKeys(file: string): Promise<DemoKeys | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const saved = JSON.parse(text) as Partial<DemoKeys> | null;
    return typeof saved?.user?.key === "string" && typeof saved.agency?.key === "string" ? (saved as DemoKeys) : null;
  } catch {
    return null;
  }
}

/**
 * On the embedded default, makes sure a demo user and a demo agency exist and returns their
 * keys, so `npm start` can print something to sign in with. The keys live in a file in the
 * data directory (mode 0600) because only their hashes are in the database; when the file's
 * keys no longer open the database (it was wiped), fresh demo accounts are made.
 */
export async function ensureDemoAccounts(db: Database, secrets: Secrets, dataDir: string, adminKey: string | undefined): Promise<DemoKeys> {
  const file = join(dataDir, DEMO_KEYS_FILE);
  const saved = await readDemoKeys(file);
  if (saved) {
    const [user, agency] = await Promise.all([authenticate(db, secrets, saved.user.key, adminKey), authenticate(db, secrets, saved.agency.key, adminKey)]);
    if (user?.kind === "account" && agency?.kind === "account") return saved;
  }
  await mkdir(dataDir, { recursive: true });
  return createDemoAccounts(db, secrets, file);
}
