/**
 * Expected failures, with the closed set of codes of the public contract (docs/errors.md).
 * Anything else thrown is a bug: it becomes a 500 `internal_error` and is logged.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  payment_method_required: 400,
  unauthorized: 401,
  insufficient_credit: 402,
  account_paused: 402,
  forbidden: 403,
  not_found: 404,
  idempotency_conflict: 409,
  rate_limited: 429,
  concurrency_limited: 429,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** What each code means and what to do about it (docs/errors.md is generated from this). */
export const ERROR_MEANINGS: Record<ErrorCode, string> = {
  invalid_request: "A field does not validate (`field` names it), the body is not JSON or is over 1 MB, or the request is refused as it stands (a refund of a disputed charge, say). Fix the request; retrying it unchanged fails the same way.",
  payment_method_required: "Enabling Auto-Recharge (or removing the card it uses) needs a saved, valid card. Add one first.",
  unauthorized: "Missing, wrong, revoked or expired API key or session. A session link's code is valid once, for 60 s. For a voice provider's event: unsigned, wrongly signed, or older than 5 minutes.",
  insufficient_credit: "The credit the account's running calls do not hold is less than a new call's hold (a minute at its rate, by default). Do not connect the call; add funds or wait for a recharge.",
  account_paused: "Auto-Recharge failed and the balance no longer covers a minute: new calls are refused until the card is fixed or funds are added. Running calls' usage is still recorded.",
  forbidden: "The credential may not do this: a read key or viewer session writing, a usage key outside the call routes, an agency writing to its subaccount, a session on an operator route.",
  not_found: "No such object, or one of another tenant (never 403 for those).",
  idempotency_conflict: "The `Idempotency-Key` was used before with another body. Use a new key for a new request.",
  rate_limited: "Too many requests of this kind (card saves, top-ups, failed authentications, session exchanges) or a full usage queue. Retry after `Retry-After` seconds.",
  concurrency_limited: "The account runs as many calls as its `max_concurrent_calls` allows (`used` and `limit` in the error object). Start the call when another ends.",
  internal_error: "A bug: logged with the request id (`request_id`), never with the request's body. Report it with that id.",
};

export class AppError extends Error {
  readonly status: (typeof ERROR_STATUS)[ErrorCode];
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For `rate_limited`: when to try again (the Retry-After header). */
    readonly retryAfterSeconds?: number,
    /** For `invalid_request`: the request field at fault (a form shows the message beside it). */
    readonly field?: string,
    /** For `concurrency_limited`: the calls running and the account's limit, in the error object. */
    readonly slots?: { used: number; limit: number },
  ) {
    super(message);
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
  }
}

export const invalid = (message: string) => new AppError("invalid_request", message);
/** A refusal of one field: the message reads "field: why", and the envelope names the field. */
export const invalidField = (field: string, why: string) => new AppError("invalid_request", `${field}: ${why}`, undefined, field);
export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
export const forbidden = (message: string) => new AppError("forbidden", message);
