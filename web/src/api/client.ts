/** An expected failure as the API reports it: `{"error":{"code","message","request_id"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    /** invalid_request: the request field the server refused, when it names one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A fresh Idempotency-Key per user action: a retried click or a flaky network never pays twice. */
function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context
  return `web_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export interface Api {
  get<T>(path: string): Promise<T>;
  /** POST, PUT, PATCH or DELETE; POST and PUT carry an Idempotency-Key. */
  send<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T>;
  /** A file the API answers (a PDF receipt), with the same credential and errors, and the name the server gave it. */
  file(path: string): Promise<{ blob: Blob; filename: string | null }>;
}

/**
 * A client for one credential. `onUnauthorized` hears every 401: the key was revoked or the
 * session ended or expired while the page was open.
 */
export function createApi(key: string | undefined, onUnauthorized?: (error: ApiError) => void): Api {
  async function call<T>(method: string, path: string, body?: unknown, as: "json" | "blob" = "json"): Promise<T> {
    const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method === "POST" || method === "PUT") headers["Idempotency-Key"] = idempotencyKey();
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, "network_error", "The server could not be reached. Check your connection and try again.", undefined);
    }
    if (response.status === 204) return undefined as T;
    if (as === "blob" && response.ok) {
      const filename = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? null;
      return { blob: await response.blob(), filename } as T;
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError(response.status, "bad_response", `The server answered ${response.status} without JSON.`, undefined);
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; request_id?: string; field?: string } }).error;
      const failure = new ApiError(response.status, error?.code ?? "error", error?.message ?? `HTTP ${response.status}`, error?.request_id, error?.field);
      if (response.status === 401) onUnauthorized?.(failure);
      throw failure;
    }
    return parsed as T;
  }
  return { get: (path) => call("GET", path), send: (method, path, body) => call(method, path, body), file: (path) => call("GET", path, undefined, "blob") };
}
