import twilio from "twilio";
import type { TwilioConfig } from "../config/connectors.js";
import {
  accountIdFrom,
  parseTime,
  providerCallIdFrom,
  withinWindow,
  type CallEvent,
  type CallHandle,
  type Connector,
  type LookedUp,
  type ProviderRequest,
  type Received,
} from "./connector.js";

/** Twilio's call statuses that end a call; every one but completed was never answered. */
const ENDED = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);
const BEFORE_ANSWER = new Set(["queued", "initiated", "ringing"]);

/**
 * Twilio status callbacks (form-encoded, `X-Twilio-Signature` over the URL Twilio called and
 * its sorted parameters, checked by the SDK's validateRequest). The account rides in the
 * callback URL's query (`?prepaid_account_id=acct_…`), which the signature covers. Twilio's
 * signature has no time in it: its `Timestamp` parameter (signed) bounds replays.
 */
export class TwilioConnector implements Connector {
  readonly name = "twilio" as const;
  private readonly client: twilio.Twilio;

  constructor(private readonly config: TwilioConfig) {
    this.client = twilio(config.accountSid, config.authToken);
    // The SDK's one base for the Voice API (a local fake in tests).
    this.client.api.baseUrl = config.apiBase.origin;
  }

  async receive(request: ProviderRequest, now: Date): Promise<Received> {
    const signature = request.header("x-twilio-signature");
    if (!signature) return { kind: "unverified", reason: "unsigned" };
    const params = Object.fromEntries(new URLSearchParams(request.rawBody));
    if (!twilio.validateRequest(this.config.authToken, signature, request.url, params)) return { kind: "unverified", reason: "bad_signature" };
    // Twilio's status callbacks carry a signed Timestamp; one without it cannot be judged stale,
    // and a replay of it is a duplicate by its key, so it is taken as of now.
    const stamped = parseTime(params.Timestamp);
    if (stamped && !withinWindow(stamped, now)) return { kind: "unverified", reason: "stale" };
    const at = stamped ?? now;
    if (params.AccountSid !== this.config.accountSid) return { kind: "unverified", reason: "bad_signature" };
    const callSid = providerCallIdFrom(params.CallSid);
    const status = params.CallStatus ?? "";
    if (!callSid) return { kind: "malformed", reason: "CallSid is missing" };
    const accountId = accountIdFrom(new URL(request.url).searchParams.get("prepaid_account_id"));
    const base = { eventKey: `${callSid}:${status}`, providerCallId: callSid, accountId, at };
    if (BEFORE_ANSWER.has(status)) return { kind: "events", events: [{ ...base, kind: "started" }] };
    if (status === "in-progress") return { kind: "events", events: [{ ...base, kind: "answered", answeredAt: at }] };
    if (ENDED.has(status)) {
      const duration = status === "completed" ? Number(params.CallDuration ?? "0") : 0;
      if (!Number.isSafeInteger(duration) || duration < 0) return { kind: "malformed", reason: "CallDuration is not whole seconds" };
      return { kind: "events", events: [{ ...base, kind: "ended", durationSeconds: duration }] };
    }
    return { kind: "ignored", reason: `call status ${status}` };
  }

  async hangUp(call: CallHandle): Promise<void> {
    await this.client.calls(call.providerCallId).update({ status: "completed" });
  }

  async lookUp(call: CallHandle, accountId: string): Promise<LookedUp> {
    const found = await this.client.calls(call.providerCallId).fetch();
    if (!ENDED.has(found.status)) return { kind: "running" };
    const at = found.endTime ?? new Date();
    const duration = found.status === "completed" ? Number(found.duration ?? "0") : 0;
    const event: CallEvent = {
      eventKey: `${call.providerCallId}:${found.status}`,
      providerCallId: call.providerCallId,
      accountId,
      kind: "ended",
      at,
      durationSeconds: Number.isSafeInteger(duration) && duration >= 0 ? duration : 0,
    };
    return { kind: "ended", event };
  }
}
