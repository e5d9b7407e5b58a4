import { sql } from "drizzle-orm";
import { queryRows, type Database, type Tx } from "../db/database.js";
import type { Secrets } from "../secrets/secrets.js";

/** What an Idempotency-Key stored: the request's keyed fingerprint and the answer's exact bytes. */
export interface StoredResponse {
  fingerprint: string;
  status: number;
  /** The JSON text first sent; undefined when it was sealed under a server secret no longer in use. */
  bodyText: string | undefined;
}

export async function findStoredResponse(db: Database, secrets: Secrets, scope: string, key: string): Promise<StoredResponse | undefined> {
  const [row] = await queryRows<{ request_fingerprint: string; status_code: number; response_body: string; sealed: boolean }>(
    db,
    sql`select request_fingerprint, status_code, response_body, sealed from idempotency_keys where principal = ${scope} and key = ${key}`,
  );
  if (!row) return undefined;
  return {
    fingerprint: row.request_fingerprint,
    status: Number(row.status_code),
    bodyText: row.sealed ? secrets.open(row.response_body) : row.response_body,
  };
}

/**
 * Claims a key in the caller's transaction; false when it is taken (earlier, or by a
 * concurrent transaction, which this one waits for). The answer is stored by storeResponse
 * in the same transaction, so the effect and its stored answer commit together.
 */
export async function claimKey(tx: Tx, scope: string, key: string, fingerprint: string): Promise<boolean> {
  const claimed = await queryRows(
    tx,
    sql`insert into idempotency_keys (principal, key, request_fingerprint, status_code, response_body)
        values (${scope}, ${key}, ${fingerprint}, 0, '')
        on conflict do nothing returning 1`,
  );
  return claimed.length > 0;
}

/**
 * Stores the answer's exact text, so a replay is byte-identical to the first answer. An answer
 * that carries a secret (a new API key) is stored sealed: no secret is kept in the clear.
 */
export async function storeResponse(
  tx: Tx,
  secrets: Secrets,
  claim: { scope: string; key: string },
  status: number,
  bodyText: string,
  sealed = false,
): Promise<void> {
  await tx.execute(
    sql`update idempotency_keys set status_code = ${status}, response_body = ${sealed ? secrets.seal(bodyText) : bodyText}, sealed = ${sealed}
        where principal = ${claim.scope} and key = ${claim.key}`,
  );
}
