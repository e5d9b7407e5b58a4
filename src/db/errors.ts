// SQLSTATE classes of a lost connection: 08 (connection exception) and 57P (the server shut
// the backend down: pg_terminate_backend, a restart, "cannot connect now").
const LOST_CONNECTION_STATE = /^(08|57P)/;
// The same, seen by the driver rather than reported by the server: pg's own messages for a
// socket that closed or a client that broke earlier, the pool's connect timeout, and the
// socket errors of Node under them.
const LOST_CONNECTION_MESSAGE = /Connection terminated|not queryable|timeout exceeded when trying to connect/;
const LOST_CONNECTION_SOCKET = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);

/**
 * Whether the database connection failed under this error, rather than the statement: the
 * transaction rolled back (or its commit's outcome is unknown) through no fault of its input.
 */
export function isLostConnection(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (LOST_CONNECTION_STATE.test(code) || LOST_CONNECTION_SOCKET.has(code))) return true;
    if (LOST_CONNECTION_MESSAGE.test(e.message)) return true;
  }
  return false;
}
