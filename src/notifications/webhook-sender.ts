import { SIGNATURE_HEADER, signPayload } from "./webhook-signature.js";

/** The JSON body every endpoint receives; `id` is the event id receivers dedupe on. */
export interface WebhookEvent {
  id: string;
  type: string;
  created_at: string;
  account_id: string;
  subject_account_id: string;
  message: string;
  data: Record<string, unknown>;
}

export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** One signed POST; any 2xx is delivered, anything else (or no answer in time) is a failed try. */
export async function sendWebhook(url: string, secret: string, event: WebhookEvent, timeoutMs: number): Promise<SendResult> {
  const body = JSON.stringify(event);
  try {
    const res = await fetch(url, {
      method: "POST",
      redirect: "manual", // a redirect is not a delivery, and must not carry the body elsewhere
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "prepaid-webhooks/1",
        "Prepaid-Event-Id": event.id,
        "Prepaid-Event-Type": event.type,
        [SIGNATURE_HEADER]: signPayload(secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return { ok: false, status: null, error: cause };
  }
}
