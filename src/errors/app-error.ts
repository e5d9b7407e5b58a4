/**
 * Expected failures, with the closed set of codes of the public contract (DESIGN §4).
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
