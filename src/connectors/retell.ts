import Retell from "retell-sdk";
import type { RetellConfig } from "../config/connectors.js";
import {
  accountIdFrom,
  billableSeconds,
  parseTime,
  providerCallIdFrom,
  type CallEvent,
  type CallHandle,
  type Connector,
  type LookedUp,
  type ProviderRequest,
  type Received,
  withinWindow,
} from "./connector.js";

interface RetellCall {
  call_id?: unknown;
  call_status?: unknown;
  metadata?: Record<string, unknown>;
  start_timestamp?: unknown;
  end_timestamp?: unknown;
}

/**
 * Retell's webhooks (`{event, call}`: call_started, call_ended; call_analyzed is ignored),
 * `x-retell-signature` checked by retell-sdk's `verify` with the API key (its signature
 * carries its time; the SDK refuses one older than 5 minutes). The account is in
 * `call.metadata`; duration = end_timestamp − start_timestamp (ms).
 */
export class RetellConnector implements Connector {
  readonly name = "retell" as const;
  private readonly client: Retell;

  constructor(private readonly config: RetellConfig) {
    this.client = new Retell({ apiKey: config.apiKey, baseURL: config.apiBase.origin, timeout: 10_000, maxRetries: 1 });
  }

  async receive(request: ProviderRequest, now: Date): Promise<Received> {
    const signature = request.header("x-retell-signature");
    if (!signature) return { kind: "unverified", reason: "unsigned" };
    // retell-sdk's verify reads the clock itself; its window is 5 minutes, ours too.
    if (!(await Retell.verify(request.rawBody, this.config.apiKey, signature))) {
      // The SDK says only no; its time (`v=<ms>`) tells a stale one from a forged one, for the log.
      const signedAt = parseTime(/^v=(\d+),/.exec(signature)?.[1]);
      return { kind: "unverified", reason: signedAt && !withinWindow(signedAt, now) ? "stale" : "bad_signature" };
    }
    let body: { event?: unknown; call?: RetellCall };
    try {
      body = JSON.parse(request.rawBody) as typeof body;
    } catch {
      return { kind: "malformed", reason: "the body is not JSON" };
    }
    const call = body.call ?? {};
    const id = providerCallIdFrom(call.call_id);
    if (!id) return { kind: "malformed", reason: "call.call_id is missing" };
    const event = retellEvent(id, String(body.event ?? ""), call, now);
    return event ? { kind: "events", events: [event] } : { kind: "ignored", reason: `event ${String(body.event)}` };
  }

  async hangUp(call: CallHandle): Promise<void> {
    await this.client.call.stop(call.providerCallId);
  }

  async lookUp(call: CallHandle, accountId: string): Promise<LookedUp> {
    let found: RetellCall;
    try {
      found = (await this.client.call.retrieve(call.providerCallId)) as RetellCall;
    } catch (error) {
      if (error instanceof Retell.NotFoundError) return { kind: "unknown" };
      throw error;
    }
    if (found.call_status !== "ended" && found.call_status !== "error" && found.call_status !== "not_connected") return { kind: "running" };
    const event = retellEvent(call.providerCallId, "call_ended", { ...found, metadata: { prepaid_account_id: accountId } }, new Date());
    return event ? { kind: "ended", event } : { kind: "unknown" };
  }
}

function retellEvent(id: string, name: string, call: RetellCall, now: Date): CallEvent | undefined {
  const base = { providerCallId: id, accountId: accountIdFrom(call.metadata?.prepaid_account_id) };
  const startedAt = parseTime(call.start_timestamp);
  if (name === "call_started") return { ...base, eventKey: `${id}:call_started`, kind: "answered", at: startedAt ?? now, answeredAt: startedAt ?? now };
  if (name !== "call_ended") return undefined;
  const endedAt = parseTime(call.end_timestamp);
  return {
    ...base,
    eventKey: `${id}:call_ended`,
    kind: "ended",
    at: endedAt ?? now,
    ...(startedAt ? { answeredAt: startedAt } : {}),
    durationSeconds: startedAt && endedAt ? billableSeconds(startedAt.getTime(), endedAt.getTime()) : 0,
  };
}
