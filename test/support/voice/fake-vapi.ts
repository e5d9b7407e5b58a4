import { createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { FakeVoiceProvider, type FakeCall, type Signing } from "./fake-provider.js";

const API_KEY = "vapi-test-private-key";
const SECRET = "vapi-test-server-secret";

/**
 * Vapi, locally: server messages `{"message": {type, timestamp, call, …}}` — `status-update`
 * and `end-of-call-report` — authenticated with the server URL secret (`X-Vapi-Secret`), or,
 * with `hmac`, `x-vapi-signature` (hex HMAC-SHA256 of the body); the account in
 * `call.assistantOverrides.metadata`; each call's `monitor.controlUrl` takes `end-call` and
 * `say`; `GET /call/:id` with the private key as bearer. Vapi sends its end-of-call report once.
 */
export class FakeVapi extends FakeVoiceProvider {
  readonly name = "vapi" as const;
  /** Sign with the HMAC header instead of the secret header. */
  hmac = false;

  env(): Record<string, string> {
    return { VAPI_API_KEY: API_KEY, VAPI_WEBHOOK_SECRET: SECRET, VAPI_API_BASE: this.url };
  }

  protected newCallId(n: number): string {
    return `a1b2c3d4-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
  }

  ring(call: FakeCall, signing: Signing = "good"): Promise<Response> {
    return this.message(call, { type: "status-update", status: "ringing" }, new Date(), signing);
  }

  answer(call: FakeCall, at = new Date(), signing: Signing = "good"): Promise<Response> {
    call.status = "in-progress";
    call.answeredAt = at;
    return this.message(call, { type: "status-update", status: "in-progress" }, new Date(), signing);
  }

  sendEnd(call: FakeCall, signing: Signing = "good"): Promise<Response> {
    return this.message(
      call,
      { type: "end-of-call-report", endedReason: "customer-ended-call", startedAt: call.answeredAt?.toISOString(), endedAt: call.endedAt?.toISOString() },
      new Date(),
      signing,
    );
  }

  private message(call: FakeCall, fields: Record<string, unknown>, at: Date, signing: Signing): Promise<Response> {
    const timestamp = signing === "stale" ? Date.now() - 10 * 60_000 : at.getTime();
    const body = JSON.stringify({
      message: {
        ...fields,
        timestamp,
        call: {
          id: call.id,
          orgId: "org_1",
          type: "outboundPhoneCall",
          status: call.status === "ended" ? "ended" : call.status,
          ...(call.answeredAt ? { startedAt: call.answeredAt.toISOString() } : {}),
          ...(call.endedAt ? { endedAt: call.endedAt.toISOString() } : {}),
          assistantOverrides: call.accountId === undefined ? {} : { metadata: { prepaid_account_id: call.accountId } },
          monitor: { controlUrl: `${this.url}/control/${call.id}`, listenUrl: `wss://127.0.0.1/listen/${call.id}` },
        },
      },
    });
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (signing !== "none") {
      if (this.hmac) {
        const signature = createHmac("sha256", signing === "bad" ? "wrong" : SECRET).update(body).digest("hex");
        headers["x-vapi-signature"] = signature;
      } else {
        headers["x-vapi-secret"] = signing === "bad" ? "wrong-secret" : SECRET;
      }
    }
    return this.post("/v1/connectors/vapi/events", body, headers);
  }

  protected async serve(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const control = /^\/control\/([\w-]+)$/.exec(req.url ?? "");
    if (control && req.method === "POST") {
      const call = this.calls.get(control[1]!);
      if (!call) return this.json(res, 404, { message: "call not found" });
      const command = JSON.parse(body) as { type: string; content?: string };
      if (command.type === "end-call") await this.hungUp(call);
      else if (command.type === "say") this.said.push({ callId: call.id, text: command.content ?? "" });
      return this.json(res, 200, { ok: true });
    }
    if (req.headers.authorization !== `Bearer ${API_KEY}`) return this.json(res, 401, { message: "Unauthorized" });
    const lookup = /^\/call\/([\w-]+)$/.exec(req.url ?? "");
    const call = lookup && req.method === "GET" ? this.calls.get(lookup[1]!) : undefined;
    if (!call) return this.json(res, 404, { message: "Not Found" });
    this.lookups.push(call.id);
    this.json(res, 200, {
      id: call.id,
      status: call.status,
      ...(call.answeredAt ? { startedAt: call.answeredAt.toISOString() } : {}),
      ...(call.endedAt ? { endedAt: call.endedAt.toISOString() } : {}),
    });
  }
}
