import { createHash, timingSafeEqual } from "node:crypto";
import { sql } from "drizzle-orm";
import { queryRows, type Database, type Tx } from "../db/database.js";
import { newId, randomBase62 } from "../ids/prefixed-id.js";

/** Who is calling: the operator, or one account. */
export type Principal = { kind: "admin"; keyId: string } | { kind: "account"; keyId: string; accountId: string };

const KEY_PREFIX_LENGTH = 12;

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** `ppk_` + 40 base62 symbols (≈ 238 bits): only its SHA-256 and its first 12 characters are stored. */
export function generateKey(): string {
  return `ppk_${randomBase62(40)}`;
}

export async function createApiKey(
  tx: Tx,
  owner: { role: "account"; accountId: string } | { role: "admin" },
): Promise<{ id: string; key: string }> {
  const id = newId("key");
  const key = generateKey();
  await tx.execute(
    sql`insert into api_keys (id, account_id, role, prefix, sha256_hex)
        values (${id}, ${owner.role === "account" ? owner.accountId : null}, ${owner.role},
                ${key.slice(0, KEY_PREFIX_LENGTH)}, ${sha256(key).toString("hex")})`,
  );
  return { id, key };
}

export async function revokeApiKey(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`update api_keys set revoked_at = now() where id = ${id} and revoked_at is null`);
}


/**
 * Finds who a bearer key belongs to. A wrong, revoked or missing key all give undefined,
 * so the caller answers them with the same 401. Hashes are compared in constant time.
 */
export async function authenticate(
  db: Database,
  presented: string | undefined,
  envAdminKey: string | undefined,
): Promise<Principal | undefined> {
  if (!presented || presented.length > 200) return undefined;
  const presentedHash = sha256(presented);
  if (envAdminKey && timingSafeEqual(presentedHash, sha256(envAdminKey))) {
    return { kind: "admin", keyId: "key_env_admin" };
  }
  const candidates = await queryRows<{ id: string; account_id: string | null; role: "account" | "admin"; sha256_hex: string }>(
    db,
    sql`select id, account_id, role, sha256_hex from api_keys
        where prefix = ${presented.slice(0, KEY_PREFIX_LENGTH)} and revoked_at is null`,
  );
  for (const row of candidates) {
    if (!timingSafeEqual(presentedHash, Buffer.from(row.sha256_hex, "hex"))) continue;
    if (row.role === "admin") return { kind: "admin", keyId: row.id };
    if (row.account_id) return { kind: "account", keyId: row.id, accountId: row.account_id };
  }
  return undefined;
}
