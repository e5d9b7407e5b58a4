import type { IncomingMessage, ServerResponse } from "node:http";
import twilio from "twilio";
import { FakeVoiceProvider, type FakeCall, type Signing } from "./fake-provider.js";

const ACCOUNT_SID = "AC00000000000000000000000000000001";
const AUTH_TOKEN = "twilio-test-auth-token-0123456789";

/**
 * Twilio, locally: status callbacks form-encoded and signed as Twilio signs them (the SDK's own
 * getExpectedTwilioSignature over the callback URL and the parameters), with `Timestamp` in
 * RFC 2822; the Calls resource of the 2010-04-01 API behind HTTP Basic auth (update to
 * `completed` hangs up, fetch reads status and duration).
 */
export class FakeTwilio extends FakeVoiceProvider {
  readonly name = "twilio" as const;
  private sequence = 0;

  env(): Record<string, string> {
    return { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_API_BASE: this.url };
  }

  protected newCallId(n: number): string {
    return `CA${n.toString(16).padStart(32, "0")}`;
  }

  ring(call: FakeCall, signing: Signing = "good"): Promise<Response> {
    return this.callback(call, "ringing", new Date(), {}, signing);
  }

  answer(call: FakeCall, at = new Date(), signing: Signing = "good"): Promise<Response> {
    call.status = "in-progress";
    call.answeredAt = at;
    return this.callback(call, "in-progress", at, {}, signing);
  }

  sendEnd(call: FakeCall, signing: Signing = "good"): Promise<Response> {
    const status = call.answeredAt ? "completed" : "no-answer";
    return this.callback(call, status, call.endedAt!, { CallDuration: String(this.durationOf(call)) }, signing);
  }

  private callback(call: FakeCall, status: string, at: Date, extra: Record<string, string>, signing: Signing): Promise<Response> {
    this.sequence += 1;
    const stamp = signing === "stale" ? new Date(Date.now() - 10 * 60_000) : at;
    const params: Record<string, string> = {
      AccountSid: ACCOUNT_SID,
      CallSid: call.id,
      CallStatus: status,
      Direction: "outbound-api",
      From: "+15005550006",
      To: "+15005550001",
      Timestamp: stamp.toUTCString(),
      SequenceNumber: String(this.sequence),
      CallbackSource: "call-progress-events",
      ...extra,
    };
    const query = call.accountId === undefined ? "" : `?prepaid_account_id=${encodeURIComponent(call.accountId)}`;
    const path = `/v1/connectors/twilio/events${query}`;
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (signing !== "none") {
      const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${this.publicOrigin ?? this.prepaidUrl}${path}`, params);
      headers["x-twilio-signature"] = signing === "bad" ? `x${signature.slice(1)}` : signature;
    }
    return this.post(path, new URLSearchParams(params).toString(), headers);
  }

  protected async serve(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const expected = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`;
    if (req.headers.authorization !== expected) return this.json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
    const match = /^\/2010-04-01\/Accounts\/(AC\w+)\/Calls\/(CA\w+)\.json$/.exec(req.url ?? "");
    const call = match && match[1] === ACCOUNT_SID ? this.calls.get(match[2]!) : undefined;
    if (!call) return this.json(res, 404, { code: 20404, message: "The requested resource was not found", status: 404 });
    if (req.method === "POST") {
      const status = new URLSearchParams(body).get("Status");
      if (status === "completed") await this.hungUp(call);
    } else {
      this.lookups.push(call.id);
    }
    this.json(res, 200, {
      sid: call.id,
      account_sid: ACCOUNT_SID,
      status: call.status === "ended" ? (call.answeredAt ? "completed" : "no-answer") : call.status,
      duration: call.status === "ended" ? String(this.durationOf(call)) : null,
      start_time: call.answeredAt?.toUTCString() ?? null,
      end_time: call.endedAt?.toUTCString() ?? null,
    });
  }
}
