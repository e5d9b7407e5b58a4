import { createHmac } from "node:crypto";
import { constantTimeEqual } from "../secrets/constant-time.js";
import type { VapiConfig } from "../config/connectors.js";
import {
  accountIdFrom,
  billableSeconds,
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

/** Vapi's API is asked for at most this long: a hang-up or a lookup that hangs is retried later, not waited on. */
const API_TIMEOUT_MS = 10_000;

interface VapiCall {
  id?: unknown;
  status?: unknown;
  startedAt?: unknown;
  endedAt?: unknown;
  assistantOverrides?: { metadata?: Record<string, unknown> };
  monitor?: { controlUrl?: unknown };
}

interface VapiMessage {
  type?: unknown;
  status?: unknown;
  timestamp?: unknown;
  startedAt?: unknown;
  endedAt?: unknown;
  durationSeconds?: unknown;
  call?: VapiCall;
  assistant?: { metadata?: Record<string, unknown> };
}

/**
 * Vapi's server messages (`{"message": {type, call, …}}`): `status-update` (in-progress, ended)
 * and `end-of-call-report`, verified by the server URL secret (`X-Vapi-Secret`) or its HMAC
 * (`x-vapi-signature`, hex SHA-256 of the raw body). Vapi's Call has no metadata of its own:
 * the account is in `call.assistantOverrides.metadata` or the assistant's metadata. Vapi has no
 * REST end-call: the call's `monitor.controlUrl` takes `end-call` and `say`.
 */
export class VapiConnector implements Connector {
  readonly name = "vapi" as const;

  constructor(private readonly config: VapiConfig) {}

  async receive(request: ProviderRequest, now: Date): Promise<Received> {
    const secret = request.header("x-vapi-secret");
    const signature = request.header("x-vapi-signature");
    if (!secret && !signature) return { kind: "unverified", reason: "unsigned" };
    const expected = createHmac("sha256", this.config.webhookSecret).update(request.rawBody).digest("hex");
    const verified = secret ? constantTimeEqual(secret, this.config.webhookSecret) : constantTimeEqual(signature!.toLowerCase(), expected);
    if (!verified) return { kind: "unverified", reason: "bad_signature" };
    let message: VapiMessage;
    try {
      message = (JSON.parse(request.rawBody) as { message?: VapiMessage }).message ?? {};
    } catch {
      return { kind: "malformed", reason: "the body is not JSON" };
    }
    // The secret is the same on every message: the message's own time bounds a replay (one
    // without a time is taken as of now; a replay of it is a duplicate by its key).
    const stamped = parseTime(message.timestamp);
    if (stamped && !withinWindow(stamped, now)) return { kind: "unverified", reason: "stale" };
    const at = stamped ?? now;
    const call = message.call ?? {};
    const id = providerCallIdFrom(call.id);
    if (!id) return { kind: "malformed", reason: "message.call.id is missing" };
    const base = {
      providerCallId: id,
      accountId: accountIdFrom(call.assistantOverrides?.metadata?.prepaid_account_id) ?? accountIdFrom(message.assistant?.metadata?.prepaid_account_id),
      at,
      controlUrl: this.controlUrl(call.monitor?.controlUrl),
    };
    const startedAt = parseTime(message.startedAt) ?? parseTime(call.startedAt);
    if (message.type === "status-update") {
      const status = String(message.status ?? "");
      if (status === "queued" || status === "ringing") return { kind: "events", events: [{ ...base, eventKey: `${id}:${status}`, kind: "started" }] };
      if (status === "in-progress") return { kind: "events", events: [{ ...base, eventKey: `${id}:in-progress`, kind: "answered", answeredAt: startedAt ?? at }] };
      if (status !== "ended") return { kind: "ignored", reason: `status ${status}` };
    } else if (message.type !== "end-of-call-report") {
      return { kind: "ignored", reason: `message type ${String(message.type)}` };
    }
    // status-update ended and end-of-call-report are one fact (the call ended): one key.
    const endedAt = parseTime(message.endedAt) ?? parseTime(call.endedAt);
    const event: CallEvent = { ...base, eventKey: `${id}:ended`, kind: "ended", durationSeconds: 0 };
    const reported = typeof message.durationSeconds === "number" && Number.isFinite(message.durationSeconds) && message.durationSeconds >= 0 ? message.durationSeconds : undefined;
    if (startedAt && endedAt) {
      event.answeredAt = startedAt;
      event.durationSeconds = billableSeconds(startedAt.getTime(), endedAt.getTime());
    } else if (reported !== undefined) {
      // A report without its times but with Vapi's own count: every started second of it.
      event.durationSeconds = Math.ceil(reported);
    } else if (message.type === "status-update") {
      // An ended status without its times: the end-of-call-report (or a lookup) brings them.
      return { kind: "ignored", reason: "ended without times; waiting for the end-of-call report" };
    }
    return { kind: "events", events: [event] };
  }

  async hangUp(call: CallHandle): Promise<void> {
    await this.control(call, { type: "end-call" });
  }

  async say(call: CallHandle, text: string): Promise<void> {
    await this.control(call, { type: "say", content: text, endCallAfterSpoken: false });
  }

  async lookUp(call: CallHandle, accountId: string): Promise<LookedUp> {
    const response = await fetch(new URL(`/call/${encodeURIComponent(call.providerCallId)}`, this.config.apiBase), {
      headers: { authorization: `Bearer ${this.config.apiKey}` },
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    if (response.status === 404) return { kind: "unknown" };
    if (!response.ok) throw new Error(`Vapi answered ${response.status} to a call lookup`);
    const found = (await response.json()) as VapiCall;
    if (found.status !== "ended") return { kind: "running" };
    const startedAt = parseTime(found.startedAt);
    const endedAt = parseTime(found.endedAt) ?? new Date();
    return {
      kind: "ended",
      event: {
        eventKey: `${call.providerCallId}:ended`,
        providerCallId: call.providerCallId,
        accountId,
        kind: "ended",
        at: endedAt,
        ...(startedAt ? { answeredAt: startedAt } : {}),
        durationSeconds: startedAt ? billableSeconds(startedAt.getTime(), endedAt.getTime()) : 0,
      },
    };
  }

  /** A control URL is followed only on Vapi's own hosts (or the configured API's origin): a forged one would make us post elsewhere. */
  private controlUrl(value: unknown): string | undefined {
    if (typeof value !== "string" || value.length > 500) return undefined;
    try {
      const url = new URL(value);
      const vapiHost = url.protocol === "https:" && (url.hostname === "vapi.ai" || url.hostname.endsWith(".vapi.ai"));
      return vapiHost || url.origin === this.config.apiBase.origin ? url.toString() : undefined;
    } catch {
      return undefined;
    }
  }

  private async control(call: CallHandle, body: object): Promise<void> {
    const url = call.controlUrl ? this.controlUrl(call.controlUrl) : undefined;
    if (!url) throw new Error("the call has no control URL on Vapi's hosts");
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`Vapi's control URL answered ${response.status}`);
  }
}
