/**
 * When the SDK sends a request again, and after how long: a pure policy, so it is tested
 * without a network. A retry is always safe here — POSTs carry one Idempotency-Key for all
 * their attempts (the server answers a repeated key with the first answer, byte for byte), and
 * the API's other methods are idempotent by design (PUT, PATCH and DELETE set a state).
 */
export interface RetryPolicy {
  /** Attempts after the first; 0 turns retries off. */
  maxRetries: number;
  /** The first back-off; each later one doubles, with full jitter. */
  baseDelayMs: number;
  /** No wait is longer than this, Retry-After included. */
  maxDelayMs: number;
}

/** 2 retries, 0.5 s then 1 s (jittered), never more than 10 s: a caller waits at most ~11 s in all. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 10_000 };

/**
 * What one attempt came back with: a status, or a network failure (no answer at all — the
 * request may or may not have reached the server, which is why the key matters).
 */
export type AttemptOutcome = { status: number; retryAfter: string | null } | { networkError: true };

/**
 * Statuses worth another try: 429 (rate limited or the usage queue full; the server says when
 * in Retry-After), and 500/502/503/504 (the server or a proxy failed before an answer was
 * stored; with the same key a retry cannot apply the request twice). Every other 4xx is the
 * request's own fault and would fail again the same way.
 */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * The wait before the next attempt, or null to stop and hand the outcome to the caller.
 * `attempt` counts from 1 (the first try); `random` is in [0, 1).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, outcome: AttemptOutcome, random: number): number | null {
  if (attempt > policy.maxRetries) return null;
  if (!("networkError" in outcome) && !RETRYABLE_STATUSES.has(outcome.status)) return null;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(backoff * random);
  const asked = "networkError" in outcome ? null : retryAfterMs(outcome.retryAfter);
  // The server's own Retry-After wins over the back-off when it asks for longer.
  return Math.min(policy.maxDelayMs, Math.max(jittered, asked ?? 0));
}

/** Retry-After as milliseconds: delta-seconds only (the API never sends an HTTP date). */
function retryAfterMs(header: string | null): number | null {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return null;
  return Number(header.trim()) * 1000;
}
