import { setTimeout as sleep } from "node:timers/promises";
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema.js";
import { KEYED_METHODS, newIdempotencyKey } from "./idempotency.js";
import { DEFAULT_RETRY_POLICY, retryDelayMs, type AttemptOutcome, type RetryPolicy } from "./retry.js";

export interface PrepaidClientOptions {
  /** The service's origin, e.g. "https://billing.example.com" (no trailing /v1). */
  baseUrl: string;
  /** An account's API key (`pk_…`), the operator key, or a session token (`pps_…`). */
  apiKey: string;
  /** Retries of network failures, 429 and 5xx; `{ maxRetries: 0 }` turns them off. */
  retry?: Partial<RetryPolicy>;
  /** The fetch to send with (tests, proxies); the global one by default. */
  fetch?: (request: Request) => Promise<Response>;
}

/** The typed client: `client.GET("/v1/accounts/{account_id}", { params: { path: { account_id } } })`. */
export type PrepaidClient = Client<paths>;

/**
 * A client for one credential, generated from the service's OpenAPI document (openapi-fetch).
 * Every POST and PUT gets an `Idempotency-Key` unless the caller set one, and keeps it across
 * retries, so a request whose answer was lost (a dropped connection, a 502 from a proxy, a
 * restart) is sent again without being applied twice.
 */
export function createPrepaidClient(options: PrepaidClientOptions): PrepaidClient {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: { Authorization: `Bearer ${options.apiKey}` },
    fetch: retryingFetch(options.fetch ?? ((request) => fetch(request)), policy),
  });
}

/** Sends a request, then again while the policy says so, with one Idempotency-Key throughout. */
export function retryingFetch(
  send: (request: Request) => Promise<Response>,
  policy: RetryPolicy,
  random: () => number = Math.random,
): (request: Request) => Promise<Response> {
  return async (request) => {
    let keyed = request;
    if (KEYED_METHODS.has(request.method) && !request.headers.has("Idempotency-Key")) {
      const headers = new Headers(request.headers);
      headers.set("Idempotency-Key", newIdempotencyKey());
      keyed = new Request(request, { headers });
    }
    // Bounded by policy.maxRetries: retryDelayMs answers null past it.
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      let failure: unknown;
      let outcome: AttemptOutcome;
      try {
        response = await send(keyed.clone());
        outcome = { status: response.status, retryAfter: response.headers.get("Retry-After") };
      } catch (error) {
        if (request.signal.aborted) throw error; // the caller gave up: not a network failure
        failure = error;
        outcome = { networkError: true };
      }
      const delay = retryDelayMs(policy, attempt, outcome, random());
      if (delay === null) {
        if (response) return response;
        throw failure;
      }
      await response?.body?.cancel(); // frees the connection of the answer we will not read
      await sleep(delay, undefined, { signal: request.signal });
    }
  };
}
