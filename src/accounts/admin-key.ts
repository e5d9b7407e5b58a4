import { sql } from "drizzle-orm";
import { inTransaction, queryRows, type Database } from "../db/database.js";
import type { Secrets } from "../secrets/secrets.js";
import { createApiKey, retireGeneratedAdminKeys } from "./api-keys.js";

// Same number in every process: first starts on one PostgreSQL take turns on it.
const ADMIN_BOOTSTRAP_LOCK_KEY = 7_482_331_906;

/**
 * When no PREPAID_ADMIN_KEY is configured and no operator key exists yet, creates one and
 * returns it so the caller prints it once; only its keyed hash is kept. Returns undefined
 * otherwise. Once PREPAID_ADMIN_KEY is set, the generated key is retired (revoked): an
 * operator who set the variable to replace it expects the old one to stop working.
 */
export async function ensureAdminKey(db: Database, secrets: Secrets, envAdminKey: string | undefined): Promise<string | undefined> {
  if (envAdminKey) {
    await retireGeneratedAdminKeys(db);
    return undefined;
  }
  return inTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADMIN_BOOTSTRAP_LOCK_KEY})`);
    const existing = await queryRows(tx, sql`select 1 from api_keys where role = 'admin' and revoked_at is null limit 1`);
    if (existing.length > 0) return undefined;
    return (await createApiKey(tx, secrets, { role: "admin" }, { name: "operator (generated at first start)" })).key;
  });
}
