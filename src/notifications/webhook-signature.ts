import { createHmac, timingSafeEqual } from "node:crypto";

/** The header a customer's endpoint receives: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = "Prepaid-Signature";
/** A receiver should refuse a signature older than this (replays of captured requests). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const mac = (secret: string, timestamp: number, body: string) => createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");

export function signPayload(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

/**
 * The receiver's check (docs/webhooks.md shows the same in a few lines): the header parses,
 * the timestamp is within the tolerance, and one v1 matches the body, compared in constant time.
 */
export function verifySignature(secret: string, body: string, header: string, nowSeconds: number, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): boolean {
  const parts = header.split(",").map((p) => p.split("=", 2) as [string, string]);
  const timestamp = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isSafeInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, timestamp, body), "hex");
  return parts.some(([k, v]) => {
    if (k !== "v1" || !v || v.length !== expected.length * 2) return false;
    return timingSafeEqual(Buffer.from(v, "hex"), expected);
  });
}
