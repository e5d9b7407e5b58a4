import type { IncomingMessage, ServerResponse } from "node:http";
import Retell from "retell-sdk";
import { symmetric } from "retell-sdk/lib/webhook_auth";
import { FakeVoiceProvider, type FakeCall, type Signing } from "./fake-provider.js";

const API_KEY = "key_retell_test_0123456789";

/**
 * Retell, locally: `{event, call}` webhooks (call_started, call_ended) signed with retell-sdk's
 * own `sign` (`x-retell-signature: v=<ms>,d=<hex HMAC of body+ms>` under the API key); the
 * account in `call.metadata`; `POST /v2/stop-call/:id` and `GET /v2/get-call/:id` with the key
 * as bearer. Retell has no event before the call starts talking: `ring` sends nothing.
 */
export class FakeRetell extends FakeVoiceProvider {
  readonly name = "retell" as const;

  env(): Record<string, string> {
    return { RETELL_API_KEY: API_KEY, RETELL_API_BASE: this.url };
  }

  protected newCallId(n: number): string {
    return `call_${n.toString(16).padStart(28, "0")}`;
  }

  async ring(): Promise<undefined> {
    return undefined;
  }

  answer(call: FakeCall, at = new Date(), signing: Signing = "good"): Promise<Response> {
    call.status = "in-progress";
    call.answeredAt = at;
    return this.webhook("call_started", call, signing);
  }

  sendEnd(call: FakeCall, signing: Signing = "good"): Promise<Response> {
    return this.webhook("call_ended", call, signing);
  }

  private callObject(call: FakeCall) {
    return {
      call_id: call.id,
      call_type: "phone_call",
      agent_id: "agent_1",
      call_status: call.status === "ended" ? "ended" : call.status === "in-progress" ? "ongoing" : "registered",
      metadata: call.accountId === undefined ? {} : { prepaid_account_id: call.accountId },
      ...(call.answeredAt ? { start_timestamp: call.answeredAt.getTime() } : {}),
      ...(call.endedAt ? { end_timestamp: call.endedAt.getTime() } : {}),
    };
  }

  private async webhook(event: string, call: FakeCall, signing: Signing): Promise<Response> {
    const body = JSON.stringify({ event, call: this.callObject(call) });
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (signing === "good") headers["x-retell-signature"] = await Retell.sign(body, API_KEY);
    if (signing === "bad") headers["x-retell-signature"] = await Retell.sign(body, "key_wrong");
    if (signing === "stale") headers["x-retell-signature"] = await symmetric.sign(body, API_KEY, Date.now() - 10 * 60_000);
    return this.post("/v1/connectors/retell/events", body, headers);
  }

  protected async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${API_KEY}`) return this.json(res, 401, { error_message: "Unauthorized" });
    const stop = /^\/v2\/stop-call\/(\w+)$/.exec(req.url ?? "");
    const get = /^\/v2\/get-call\/(\w+)$/.exec(req.url ?? "");
    const call = this.calls.get((stop ?? get)?.[1] ?? "");
    if (!call) return this.json(res, 404, { error_message: "Not Found" });
    if (stop && req.method === "POST") {
      await this.hungUp(call);
      res.writeHead(204).end();
      return;
    }
    this.lookups.push(call.id);
    this.json(res, 200, this.callObject(call));
  }
}
