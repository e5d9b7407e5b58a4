import { randomUUID } from "node:crypto";

/** Methods whose requests get an Idempotency-Key when the caller gave none. */
export const KEYED_METHODS = new Set(["POST", "PUT"]);

/** A fresh key per logical request; every retry of that request sends the same one. */
export function newIdempotencyKey(): string {
  return `sdk_${randomUUID()}`;
}
