import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
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

/** Where to send: the URL, and the address its host was checked at (outbound-guard.ts). */
export interface CheckedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * One signed POST to the checked address only (the URL's host name still goes in Host and
 * TLS SNI); redirects are not followed. Any 2xx is delivered; anything else, or no answer in
 * time, is a failed try. A failure without an HTTP answer is recorded in one fixed wording, so
 * the delivery log cannot tell a closed port from a filtered one (no port scanning through it).
 *
 * Bounded whatever the receiver does (docs/concepts.md): the try as a whole — connect, TLS, request,
 * the answer's status line and headers — is cut at `timeoutMs` (not a socket idle timer, which
 * a receiver trickling bytes resets forever), and the answer's body is never read: the status
 * decides, and the connection is closed as soon as it is known. Headers are capped by Node's
 * own limit (16 KiB).
 */
export function sendWebhook(target: CheckedTarget, secret: string, event: WebhookEvent, timeoutMs: number): Promise<SendResult> {
  const body = JSON.stringify(event);
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const send = target.url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let done = false;
    const finish = (result: SendResult) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const req = send(
      target.url,
      {
        method: "POST",
        lookup: pinned,
        agent: false,
        headers: {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
          "User-Agent": "prepaid-webhooks/1",
          "Prepaid-Event-Id": event.id,
          "Prepaid-Event-Type": event.type,
          Connection: "close",
          [SIGNATURE_HEADER]: signPayload(secret, body, Math.floor(Date.now() / 1000)),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` });
        // The body is not read: a receiver cannot make us hold it, or wait for it.
        res.destroy();
        req.destroy();
      },
    );
    const deadline = setTimeout(() => {
      finish({ ok: false, status: null, error: NO_ANSWER });
      req.destroy();
    }, timeoutMs);
    req.on("error", () => finish({ ok: false, status: null, error: NO_ANSWER }));
    req.end(body);
  });
}

const NO_ANSWER = "no HTTP answer (connection failed or timed out)";
