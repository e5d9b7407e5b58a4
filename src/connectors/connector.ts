/**
 * A voice provider as prepaid sees it: it translates the provider's signed webhooks into call
 * events and carries out what billing decided (hang up, say a line, look a call up). It decides
 * nothing: whether a call may run, what it costs and when it ends are billing/connector-calls'.
 */

export type ProviderName = "twilio" | "vapi" | "retell";
export const PROVIDER_NAMES: readonly ProviderName[] = ["twilio", "vapi", "retell"];

/**
 * Providers' events older (or further ahead) than this are refused: 5 minutes, the window
 * Retell's and Telnyx's own SDKs check, and longer than Twilio's or Vapi's retries take.
 */
export const EVENT_WINDOW_MS = 5 * 60_000;

/** One fact about one call, in the provider's clock. */
export interface CallEvent {
  /** Unique per provider: a duplicate or a retry carries the same key. */
  eventKey: string;
  providerCallId: string;
  /** `prepaid_account_id` from the provider's own call metadata; undefined when absent. */
  accountId: string | undefined;
  /** started: the call exists (ringing or queued); answered: it is talking; ended: it is over. */
  kind: "started" | "answered" | "ended";
  /** When the provider says this happened. */
  at: Date;
  /** answered (and ended, when known): when the provider counts the call from. */
  answeredAt?: Date;
  /** ended: the provider's own billable duration, whole seconds (0 for a call never answered). */
  durationSeconds?: number;
  /** Vapi: where the call's live control is. */
  controlUrl?: string;
}

/** A webhook request as it reached us: the URL the provider called, its headers and raw body. */
export interface ProviderRequest {
  url: string;
  header: (name: string) => string | undefined;
  rawBody: string;
}

export type Received =
  | { kind: "events"; events: CallEvent[] }
  /** Signed and fresh, but nothing about a call's billing (a transcript, an analysis): answered 200. */
  | { kind: "ignored"; reason: string }
  | { kind: "unverified"; reason: "unsigned" | "bad_signature" | "stale" }
  | { kind: "malformed"; reason: string };

/** What the provider's API says of a call now (a lookup when its events stopped coming). */
export type LookedUp = { kind: "running" } | { kind: "ended"; event: CallEvent } | { kind: "unknown" };

export interface CallHandle {
  providerCallId: string;
  controlUrl: string | null;
}

export interface Connector {
  readonly name: ProviderName;
  receive(request: ProviderRequest, now: Date): Promise<Received>;
  /** Ends the call at the provider. Throws when the provider did not take it (asked again later). */
  hangUp(call: CallHandle): Promise<void>;
  /** Says a line to the caller without cutting the agent off, where the provider can. */
  say?(call: CallHandle, text: string): Promise<void>;
  lookUp(call: CallHandle, accountId: string): Promise<LookedUp>;
}

/** Billable seconds of a span in milliseconds: every started second counts (as the rating does). */
export function billableSeconds(fromMs: number, toMs: number): number {
  return Math.max(0, Math.ceil((toMs - fromMs) / 1000));
}

export function withinWindow(at: Date, now: Date): boolean {
  return Math.abs(now.getTime() - at.getTime()) <= EVENT_WINDOW_MS;
}

/** A time the provider wrote (ISO 8601, RFC 2822 or epoch ms); undefined when it is none. */
export function parseTime(value: unknown): Date | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value);
  if (typeof value !== "string" || value.length === 0 || value.length > 64) return undefined;
  const at = new Date(/^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** prepaid_account_id as a provider carried it: an account id's shape, or nothing. */
export function accountIdFrom(value: unknown): string | undefined {
  return typeof value === "string" && /^acct_[A-Za-z0-9]{1,64}$/.test(value) ? value : undefined;
}

/** A provider's call id, bounded: it becomes part of our call id (at most 100 characters, as any call id). */
export function providerCallIdFrom(value: unknown): string | undefined {
  return typeof value === "string" && /^[A-Za-z0-9_\-.:]{1,90}$/.test(value) ? value : undefined;
}

/** Our call id for a provider's call: one per provider call, readable in History. */
export const connectorCallId = (provider: ProviderName, providerCallId: string) => `${provider}-${providerCallId}`;
