import { ApiError } from "../api/client.js";

/**
 * What a person is told for a refusal the page did not expect: the server's message is for
 * developers ("a viewer session cannot POST /v1/…"), so the codes a person can meet here get
 * sentences of their own; the request id stays, for support.
 */
const FOR_PEOPLE: Partial<Record<string, string>> = {
  forbidden: "You can view this page but not change it. Ask the account's owner or your administrator.",
  unauthorized: "Your sign-in is no longer valid. Sign in again, or open Payments again from your platform.",
  rate_limited: "Too many attempts in a short time. Wait a minute and try again.",
  internal_error: "Something went wrong on our side. Try again; if it keeps happening, contact support with the request id.",
  network_error: "The server could not be reached. Check your connection and try again.",
  bad_response: "The server answered in a way the page did not understand. Try again.",
};

/** Shows a failure in words a person can act on, with its request id for support. Never swallowed. */
export function ErrorText({ error }: { error: Error | string | undefined }) {
  if (!error) return null;
  const message = typeof error === "string" ? error : error instanceof ApiError ? (FOR_PEOPLE[error.code] ?? error.message) : error.message;
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <p role="alert" className="field-error">
      {message}
      {requestId && <span className="muted small"> (request {requestId})</span>}
    </p>
  );
}
