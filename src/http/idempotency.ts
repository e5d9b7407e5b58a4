import { createHash } from "node:crypto";
import type { Context } from "hono";
import { inTransaction, type Tx } from "../db/database.js";
import { claimKey, findStoredResponse, storeResponse, type StoredResponse } from "../idempotency/store.js";
import { AppError, invalid } from "../errors/app-error.js";
import type { AppEnv } from "./context.js";


/** Thrown inside the transaction to roll it back when another request holds the key. */
class KeyTakenMeanwhile extends Error {}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

async function requestFingerprint(c: Context<AppEnv>): Promise<string> {
  const text = await c.req.text();
  let body: unknown = text;
  try {
    body = text ? canonical(JSON.parse(text)) : null;
  } catch {
    // Not JSON: the raw text is the fingerprint.
  }
  return createHash("sha256").update(`${c.req.method} ${c.req.path}\n${JSON.stringify(body)}`).digest("hex");
}

/** The caller's Idempotency-Key, its scope and the request's fingerprint; undefined without a key. */
export async function idempotencyOf(c: Context<AppEnv>): Promise<{ scope: string; key: string; fingerprint: string } | undefined> {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > 255) throw invalid("Idempotency-Key must be 1 to 255 characters");
  const principal = c.get("principal");
  return { scope: principal.kind === "admin" ? "admin" : principal.accountId, key, fingerprint: await requestFingerprint(c) };
}

/**
 * For a handler with an effect outside the transaction (a card sent to the provider's vault):
 * the stored answer when this request was already made with its key, before doing it again.
 */
export async function replayIfStored(c: Context<AppEnv>): Promise<Response | undefined> {
  const claim = await idempotencyOf(c);
  if (!claim) return undefined;
  const stored = await findStoredResponse(c.get("deps").db, claim.scope, claim.key);
  return stored ? replay(c, stored, claim.fingerprint) : undefined;
}

/** Answers a stored response again, or 409 when the key came with another request. */
export function replay(c: Context<AppEnv>, stored: StoredResponse, fingerprint: string): Response {
  if (stored.request_sha256_hex !== fingerprint) {
    throw new AppError("idempotency_conflict", "this Idempotency-Key was already used with a different request");
  }
  c.header("Idempotent-Replayed", "true");
  return c.json(stored.response_body as object, stored.status_code as 200);
}

/**
 * Runs a POST's work in one transaction. With an `Idempotency-Key`, the key is claimed by the
 * transaction's first statement and the response stored by its last, so the effect and its
 * stored answer commit together: a crash between them cannot leave an effect that a retry
 * would repeat. A concurrent request with the same key waits on the claim, then replays.
 * Expected errors roll everything back, the claim too, so a failed request may be retried.
 */
export async function idempotent<T extends object>(
  c: Context<AppEnv>,
  status: 200 | 201,
  work: (tx: Tx) => Promise<T>,
): Promise<never> {
  const { db } = c.get("deps");
  const claim = await idempotencyOf(c);
  if (claim === undefined) return c.json(await inTransaction(db, work), status) as never;
  const { scope, key, fingerprint } = claim;
  const stored = await findStoredResponse(db, scope, key);
  if (stored) return replay(c, stored, fingerprint) as never;
  try {
    const body = await inTransaction(db, async (tx) => {
      if (!(await claimKey(tx, scope, key, fingerprint))) throw new KeyTakenMeanwhile();
      const result = await work(tx);
      await storeResponse(tx, scope, key, status, result);
      return result;
    });
    return c.json(body, status) as never;
  } catch (error) {
    if (!(error instanceof KeyTakenMeanwhile)) throw error;
    const winner = await findStoredResponse(db, scope, key);
    if (!winner) throw new Error("assertion: a taken idempotency key has a stored response");
    return replay(c, winner, fingerprint) as never;
  }
}
