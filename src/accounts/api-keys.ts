import { createHash } from "node:crypto";
import { constantTimeEqual } from "../secrets/constant-time.js";
import { and, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { queryRows, type Database, type Tx } from "../db/database.js";
import { apiKeys } from "../db/schema.js";
import { invalidField, notFound } from "../errors/app-error.js";
import { newId, randomBase62 } from "../ids/prefixed-id.js";
import type { Secrets } from "../secrets/secrets.js";

import type { KeyScope } from "./key-scope.js";
import type { Principal } from "./principal.js";

export type { KeyScope };

const KEY_PREFIX_LENGTH = 12;
/** The longest grace a rotated key keeps working (docs/concepts.md): one day. */
export const MAX_ROTATION_GRACE_SECONDS = 86_400;

/** `ppk_` + 40 base62 symbols (≈ 238 bits): only an HMAC under the server secret and its first 12 characters are stored. */
export function generateKey(): string {
  return `ppk_${randomBase62(40)}`;
}

const keyHash = (secrets: Secrets, key: string) => secrets.mac("api-key", key);

/** An API key as its owner sees it: never the key, never its hash. */
export interface ApiKeyRecord {
  id: string;
  accountId: string | null;
  name: string | null;
  scope: KeyScope;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

const RECORD = {
  id: apiKeys.id,
  accountId: apiKeys.accountId,
  name: apiKeys.name,
  scope: apiKeys.scope,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
};
type RecordRow = Pick<typeof apiKeys.$inferSelect, keyof typeof RECORD>;

const isoOrNull = (value: Date | null) => (value === null ? null : value.toISOString());
const recordFromRow = (r: RecordRow): ApiKeyRecord => ({
  id: r.id,
  accountId: r.accountId,
  name: r.name,
  scope: r.scope,
  prefix: r.prefix,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: isoOrNull(r.lastUsedAt),
  expiresAt: isoOrNull(r.expiresAt),
  revokedAt: isoOrNull(r.revokedAt),
});

export async function createApiKey(
  tx: Tx,
  secrets: Secrets,
  owner: { role: "account"; accountId: string } | { role: "admin" },
  options: { name?: string | null | undefined; scope?: KeyScope | undefined; expiresAt?: Date | null | undefined } = {},
): Promise<{ key: string; record: ApiKeyRecord }> {
  if (options.expiresAt && options.expiresAt.getTime() <= Date.now()) throw invalidField("expires_at", "must be in the future");
  const key = generateKey();
  const [row] = await tx
    .insert(apiKeys)
    .values({
      id: newId("key"),
      accountId: owner.role === "account" ? owner.accountId : null,
      role: owner.role,
      name: options.name ?? null,
      scope: options.scope ?? "full",
      prefix: key.slice(0, KEY_PREFIX_LENGTH),
      hmacHex: keyHash(secrets, key),
      expiresAt: options.expiresAt ?? null,
    })
    .returning(RECORD);
  return { key, record: recordFromRow(row!) };
}

/** An account's keys, newest first, revoked and expired ones included (they say so). */
export async function listApiKeys(db: Database | Tx, accountId: string): Promise<ApiKeyRecord[]> {
  const rows = await db.select(RECORD).from(apiKeys).where(eq(apiKeys.accountId, accountId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)).limit(200);
  return rows.map(recordFromRow);
}

/**
 * Revokes a key of the account: every process refuses it from its next request (no cache).
 * Revoking a revoked key changes nothing (`changed: false`): the same answer, and nothing for
 * the audit log to record.
 */
export async function revokeApiKey(tx: Tx, accountId: string, keyId: string): Promise<{ record: ApiKeyRecord; changed: boolean }> {
  const [revoked] = await tx
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)))
    .returning(RECORD);
  if (revoked) return { record: recordFromRow(revoked), changed: true };
  const [row] = await tx.select(RECORD).from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId)));
  if (!row) throw notFound("API key");
  return { record: recordFromRow(row), changed: false };
}

/**
 * A new key with the old one's name, scope and expiry; the old one keeps working for
 * `graceSeconds` (so deployments can switch over), then stops as if expired.
 */
export async function rotateApiKey(
  tx: Tx,
  secrets: Secrets,
  accountId: string,
  keyId: string,
  graceSeconds: number,
): Promise<{ key: string; record: ApiKeyRecord; previous: ApiKeyRecord }> {
  const [old] = await tx
    .update(apiKeys)
    .set({ expiresAt: sql`least(coalesce(${apiKeys.expiresAt}, 'infinity'::timestamptz), now() + make_interval(secs => ${graceSeconds}))` })
    .where(
      and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`))),
    )
    .returning(RECORD);
  if (!old) throw notFound("API key");
  const previous = recordFromRow(old);
  const created = await createApiKey(tx, secrets, { role: "account", accountId }, { name: previous.name, scope: previous.scope });
  return { ...created, previous };
}

/** Revokes the operator keys generated at first start: PREPAID_ADMIN_KEY now stands in for them. */
export async function retireGeneratedAdminKeys(db: Database): Promise<number> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.role, "admin"), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length;
}

interface AuthRow {
  id: string;
  account_id: string | null;
  role: "account" | "admin";
  scope: KeyScope;
  hmac_hex: string | null;
  sha256_hex: string | null;
}

/**
 * Finds who a bearer key belongs to. A wrong, revoked, expired or missing key all give
 * undefined, so the caller answers them with the same 401. Hashes are compared in constant time.
 */
export async function authenticate(
  db: Database,
  secrets: Secrets,
  presented: string | undefined,
  envAdminKey: string | undefined,
): Promise<Principal | undefined> {
  if (!presented || presented.length > 200) return undefined;
  if (envAdminKey && constantTimeEqual(sha256(presented), sha256(envAdminKey))) {
    return { kind: "admin", actor: { type: "operator", id: "key_env_admin" } };
  }
  const candidates = await queryRows<AuthRow>(
    db,
    sql`select id, account_id, role, scope, hmac_hex, sha256_hex from api_keys
        where prefix = ${presented.slice(0, KEY_PREFIX_LENGTH)} and revoked_at is null
          and (expires_at is null or expires_at > now())`,
  );
  const presentedHmac = Buffer.from(keyHash(secrets, presented), "hex");
  for (const row of candidates) {
    const matches = row.hmac_hex
      ? constantTimeEqual(presentedHmac, Buffer.from(row.hmac_hex, "hex"))
      : row.sha256_hex !== null && constantTimeEqual(sha256(presented), Buffer.from(row.sha256_hex, "hex"));
    if (!matches) continue;
    // A key made before the server secret: its unsalted hash is replaced by the HMAC now.
    if (!row.hmac_hex) await db.execute(sql`update api_keys set hmac_hex = ${presentedHmac.toString("hex")}, sha256_hex = null where id = ${row.id}`);
    if (row.role === "admin") return { kind: "admin", actor: { type: "operator", id: row.id } };
    if (row.account_id) return { kind: "account", accountId: row.account_id, scope: row.scope, actor: { type: "api_key", id: row.id } };
  }
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}


/**
 * Keeps `last_used_at` without a write per request: each process writes a key's time at most
 * once a minute, after the answer, and a failed write only loses that minute's mark.
 */
export class LastUsedTracker {
  private readonly written = new Map<string, number>();
  constructor(
    private readonly db: Database,
    private readonly everyMs = 60_000,
    /** The map is cleared past this many keys, so it cannot grow without bound. */
    private readonly maxTracked = 100_000,
  ) {}

  touch(keyId: string, nowMs = Date.now()): void {
    if (keyId === "key_env_admin") return;
    const last = this.written.get(keyId);
    if (last !== undefined && nowMs - last < this.everyMs) return;
    if (this.written.size >= this.maxTracked) this.written.clear();
    this.written.set(keyId, nowMs);
    this.db
      .execute(sql`update api_keys set last_used_at = now() where id = ${keyId}`)
      .catch(() => this.written.delete(keyId));
  }
}
