/** The API's error envelope: `{"error": {"code", "message", "request_id", "field"?}}`. */
export class PrepaidApiError extends Error {
  override readonly name = "PrepaidApiError";
  constructor(
    readonly status: number,
    /** One of the closed set in the OpenAPI document's description (`insufficient_credit`, `rate_limited`, …). */
    readonly code: string,
    message: string,
    /** Quote it to the platform's support: the server's logs carry it. */
    readonly requestId: string | undefined,
    /** For `invalid_request`: the request field refused, when one is. */
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

interface Envelope {
  error?: { code?: string; message?: string; request_id?: string; field?: string };
}

/**
 * The answer's data, or a PrepaidApiError carrying the envelope: for callers who prefer
 * exceptions to openapi-fetch's `{ data, error }`.
 *
 *   const account = await unwrap(client.GET("/v1/accounts/{account_id}", { params: { path: { account_id } } }));
 */
export async function unwrap<D>(pending: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await pending;
  if (response.ok) return data as D;
  const body = (error ?? {}) as Envelope;
  throw new PrepaidApiError(
    response.status,
    body.error?.code ?? "http_error",
    body.error?.message ?? `HTTP ${response.status}`,
    body.error?.request_id,
    body.error?.field,
  );
}
