/**
 * A bug, not an expected failure (those are AppErrors with a code of the contract): the
 * request fails as a 500 `internal_error`, its transaction rolls back, and the message is
 * logged. Used on the money paths to state what must hold before and after each step.
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion: ${message}`);
}
