import { ApiError } from "../api/client.js";

/** Shows a failure as the server put it, with its request id for support. Never swallowed. */
export function ErrorText({ error }: { error: Error | string | undefined }) {
  if (!error) return null;
  const message = typeof error === "string" ? error : error.message;
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <p role="alert" className="field-error">
      {message}
      {requestId && <span className="muted small"> (request {requestId})</span>}
    </p>
  );
}
