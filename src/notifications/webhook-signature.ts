import { SIGNATURE_HEADER, webhookMac } from "../../sdk/src/webhooks.js";

// The signature's format has one owner, the SDK's webhooks module: receivers verify with the
// same MAC this signs with (`constructWebhookEvent` / `verifyWebhookSignature`).
export { SIGNATURE_HEADER };

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the endpoint's secret. */
export function signPayload(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${webhookMac(secret, timestamp, body)}`;
}
