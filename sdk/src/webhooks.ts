import { createHmac, timingSafeEqual } from "node:crypto";

/** The header a webhook delivery carries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = "Prepaid-Signature";
/** Signatures older (or newer) than this are refused: a captured delivery cannot be replayed later. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A delivery's body (docs/webhooks.md). Dedupe on `id`: delivery is at least once. */
export interface WebhookEvent {
  id: string;
  type: string;
  created_at: string;
  account_id: string;
  /** For an agency's copy of a subaccount's event: the subaccount. */
  subject_account_id?: string;
  message: string;
  data: Record<string, unknown>;
}

export class WebhookSignatureError extends Error {
  override readonly name = "WebhookSignatureError";
}

export function webhookMac(secret: string, timestamp: number, rawBody: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex");
}

/**
 * True when `header` signs `rawBody` with `secret` within the tolerance. Check the raw bytes as
 * received, before any JSON parsing (a re-serialised body no longer matches). One `v1` of
 * several matching is enough (several appear while an endpoint's secret is being rolled).
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: string,
  header: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): boolean {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const parts = header.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]);
  const timestamp = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isSafeInteger(timestamp) || Math.abs(now - timestamp) > tolerance) return false;
  const expected = Buffer.from(webhookMac(secret, timestamp, rawBody), "hex");
  return parts.some(([k, v]) => k === "v1" && v !== undefined && v.length === expected.length * 2 && timingSafeEqual(Buffer.from(v, "hex"), expected));
}

/**
 * The verified event, or WebhookSignatureError: what a receiver's handler calls first.
 * `headers` is the request's headers (any casing; a Headers object or a plain record).
 */
export function constructWebhookEvent(
  rawBody: string,
  headers: Headers | Record<string, string | string[] | undefined>,
  secret: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): WebhookEvent {
  const header = readHeader(headers, SIGNATURE_HEADER);
  if (header === undefined) throw new WebhookSignatureError(`no ${SIGNATURE_HEADER} header`);
  if (!verifyWebhookSignature(secret, rawBody, header, options)) {
    throw new WebhookSignatureError("the signature does not match this body and secret, or its timestamp is outside the tolerance");
  }
  return JSON.parse(rawBody) as WebhookEvent;
}

function readHeader(headers: Headers | Record<string, string | string[] | undefined>, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}
