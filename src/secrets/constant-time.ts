import { timingSafeEqual } from "node:crypto";

/**
 * Whether two secrets (a key's digest, a webhook's shared secret or signature) are equal, in
 * time that does not depend on where they differ. Different lengths answer false at once: the
 * length of what is compared (a fixed-size digest, a configured secret) is not the secret.
 */
export function constantTimeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const x = typeof a === "string" ? Buffer.from(a) : a;
  const y = typeof b === "string" ? Buffer.from(b) : b;
  return x.length === y.length && timingSafeEqual(x, y);
}
