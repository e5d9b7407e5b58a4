import type { Context, TypedResponse } from "hono";
import type { Tx } from "../db/database.js";
import { commitRequest } from "./commit-request.js";
import { claimKey, findStoredResponse, storeResponse, type StoredResponse } from "../idempotency/store.js";
import { AppError, invalid } from "../errors/app-error.js";
import type { Secrets } from "../secrets/secrets.js";
import type { AppEnv } from "./context.js";

/** Thrown inside the transaction to roll it back when another request holds the key. */
class KeyTakenMeanwhile extends Error {}

/**
 * The body as the fingerprint sees it: keys sorted, and a card reduced to what is not secret
 * (its last 4 digits and expiry). A card's number or CVC never enters a fingerprint, not even
 * keyed: card rules forbid keeping the CVC in any form. Two requests with one key that differ
 * only in the number's first 12 digits are then taken as the same request — the replay answers
 * the card saved first, which has the same last 4 and expiry.
 */
export function fingerprintView(value: unknown, inCard = false): unknown {
  if (Array.isArray(value)) return value.map((v) => fingerprintView(v));
  if (value && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .flatMap((k): [string, unknown][] => {
        const v = (value as Record<string, unknown>)[k];
        if (inCard && k === "cvc") return [];
        if (inCard && k === "number") return [["last4", typeof v === "string" ? v.replace(/\D/g, "").slice(-4) : null]];
        return [[k, fingerprintView(v, k === "card")]];
      });
    return Object.fromEntries(entries);
  }
  return value;
}

async function requestFingerprint(c: Context<AppEnv>, secrets: Secrets): Promise<string> {
  const text = await c.req.text();
  let body: unknown = text;
  try {
    body = text ? fingerprintView(JSON.parse(text)) : null;
  } catch {
    // Not JSON: the raw text is the fingerprint (keyed, like the rest).
  }
  return secrets.mac("idempotency", `${c.req.method} ${c.req.path}\n${JSON.stringify(body)}`);
}

/** The caller's Idempotency-Key, its scope and the request's fingerprint; undefined without a key. */
export async function idempotencyOf(c: Context<AppEnv>): Promise<{ scope: string; key: string; fingerprint: string } | undefined> {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > 255) throw invalid("Idempotency-Key must be 1 to 255 characters");
  const principal = c.get("principal");
  const { secrets } = c.get("deps").config;
  return { scope: principal.kind === "admin" ? "admin" : principal.accountId, key, fingerprint: await requestFingerprint(c, secrets) };
}

/** A JSON answer from its text, so what was stored is what is sent, byte for byte. */
export function jsonText(c: Context<AppEnv>, text: string, status: number): Response {
  return c.body(text, status as 200, { "Content-Type": "application/json" });
}

/**
 * The answer a route declares: JSON of type T with that status, as `c.json(T, status)` types
 * it, so @hono/zod-openapi checks a route's answer against its OpenAPI schema.
 */
export type JsonAnswer<T, S extends number> = Response & TypedResponse<T, S & (200 | 201), "json">;

/**
 * Answers a stored response again, byte-identical, or 409 when the key came with another
 * request. Its type is the route's own answer: the stored bytes are what that route's work
 * rendered for this key (the fingerprint covers method and path), read back as text so a
 * replay is the same bytes, which no JSON type can check again.
 */
export function replay<T, S extends 200 | 201>(c: Context<AppEnv>, stored: StoredResponse, fingerprint: string): JsonAnswer<T, S> {
  if (stored.fingerprint !== fingerprint) {
    throw new AppError("idempotency_conflict", "this Idempotency-Key was already used with a different request");
  }
  if (stored.bodyText === undefined) {
    throw new AppError("idempotency_conflict", "this Idempotency-Key's answer was sealed under a server secret no longer in use");
  }
  c.header("Idempotent-Replayed", "true");
  return jsonText(c, stored.bodyText, stored.status) as JsonAnswer<T, S>;
}

/**
 * Runs a POST's work in one transaction. With an `Idempotency-Key`, the key is claimed by the
 * transaction's first statement and the response stored by its last, so the effect and its
 * stored answer commit together: a crash between them cannot leave an effect that a retry
 * would repeat. A concurrent request with the same key waits on the claim, then replays.
 * Expected errors roll everything back, the claim too, so a failed request may be retried.
 * `sealed`: the answer carries a secret (a new API key), so its stored copy is encrypted.
 * `prepare`: what a new request does before its transaction — counted against a rate limit, a
 * card sent to the provider's vault — and never for a replay; its result is handed to `work`.
 */
export async function idempotent<T extends object, S extends 200 | 201, P = undefined>(
  c: Context<AppEnv>,
  status: S,
  work: (tx: Tx, prepared: P) => Promise<T>,
  options: { sealed?: boolean; prepare?: () => Promise<P> } = {},
): Promise<JsonAnswer<T, S>> {
  const { db, config } = c.get("deps");
  const prepare = options.prepare ?? (async () => undefined as P);
  const claim = await idempotencyOf(c);
  if (claim === undefined) {
    const prepared = await prepare();
    return c.json(await commitRequest(c, (tx) => work(tx, prepared)), status) as JsonAnswer<T, S>;
  }
  const { scope, key, fingerprint } = claim;
  const stored = await findStoredResponse(db, config.secrets, scope, key);
  if (stored) return replay(c, stored, fingerprint);
  const prepared = await prepare();
  try {
    const text = await commitRequest(c, async (tx) => {
      if (!(await claimKey(tx, scope, key, fingerprint))) throw new KeyTakenMeanwhile();
      const bodyText = JSON.stringify(await work(tx, prepared));
      await storeResponse(tx, config.secrets, claim, status, bodyText, options.sealed ?? false);
      return bodyText;
    });
    // The same bytes a replay will answer; T is what work returned, rendered.
    return jsonText(c, text, status) as JsonAnswer<T, S>;
  } catch (error) {
    if (!(error instanceof KeyTakenMeanwhile)) throw error;
    const winner = await findStoredResponse(db, config.secrets, scope, key);
    if (!winner) throw new Error("assertion: a taken idempotency key has a stored response");
    return replay(c, winner, fingerprint);
  }
}
