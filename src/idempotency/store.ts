import { sql } from "drizzle-orm";
import { queryRows, type Database, type Tx } from "../db/database.js";

/** What an Idempotency-Key stored: the request's fingerprint and the answer it got. */
export interface StoredResponse {
  request_sha256_hex: string;
  status_code: number;
  response_body: unknown;
}

export async function findStoredResponse(db: Database, scope: string, key: string): Promise<StoredResponse | undefined> {
  const [row] = await queryRows<StoredResponse>(
    db,
    sql`select request_sha256_hex, status_code, response_body from idempotency_keys where principal = ${scope} and key = ${key}`,
  );
  return row;
}

/**
 * Claims a key in the caller's transaction; false when it is taken (earlier, or by a
 * concurrent transaction, which this one waits for). The answer is stored by storeResponse
 * in the same transaction, so the effect and its stored answer commit together.
 */
export async function claimKey(tx: Tx, scope: string, key: string, fingerprint: string): Promise<boolean> {
  const claimed = await queryRows(
    tx,
    sql`insert into idempotency_keys (principal, key, request_sha256_hex, status_code, response_body)
        values (${scope}, ${key}, ${fingerprint}, 0, '{}'::jsonb)
        on conflict do nothing returning 1`,
  );
  return claimed.length > 0;
}

export async function storeResponse(tx: Tx, scope: string, key: string, status: number, body: unknown): Promise<void> {
  await tx.execute(
    sql`update idempotency_keys set status_code = ${status}, response_body = ${JSON.stringify(body)}::jsonb
        where principal = ${scope} and key = ${key}`,
  );
}
