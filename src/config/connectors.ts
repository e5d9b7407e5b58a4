import { settingText, type SettingName } from "./settings.js";

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  apiBase: URL;
}
export interface VapiConfig {
  apiKey: string;
  webhookSecret: string;
  apiBase: URL;
}
export interface RetellConfig {
  apiKey: string;
  apiBase: URL;
}

/** Voice providers whose call webhooks prepaid takes itself (docs/voice-stack.md). */
export interface ConnectorsConfig {
  /** PREPAID_CONNECTOR_TICK: how often running provider calls are metered. */
  tickMs: number;
  /** PREPAID_CONNECTOR_STALE: a running call silent this long is looked up at its provider. */
  staleMs: number;
  /** Each provider is off (its events 404) until its credentials are set. */
  twilio: TwilioConfig | undefined;
  vapi: VapiConfig | undefined;
  retell: RetellConfig | undefined;
}

function url(env: NodeJS.ProcessEnv, name: SettingName, fallback: string): URL {
  const text = settingText(env, name) || fallback;
  try {
    return new URL(text);
  } catch {
    throw new Error(`${name} is not a URL: ${text}`);
  }
}

/** A provider configured by half (a key without its secret) stops the start: it would take no event and say nothing. */
function both(env: NodeJS.ProcessEnv, a: SettingName, b: SettingName): [string, string] | undefined {
  const x = settingText(env, a) || undefined;
  const y = settingText(env, b) || undefined;
  if (!x && !y) return undefined;
  if (!x || !y) throw new Error(`${x ? b : a} is needed with ${x ? a : b}`);
  return [x, y];
}

export function connectorsConfig(env: NodeJS.ProcessEnv, durationMs: (name: SettingName, fallback: string) => number): ConnectorsConfig {
  const twilio = both(env, "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN");
  const vapi = both(env, "VAPI_API_KEY", "VAPI_WEBHOOK_SECRET");
  const retellKey = settingText(env, "RETELL_API_KEY") || undefined;
  const tickMs = durationMs("PREPAID_CONNECTOR_TICK", "15s");
  // Under a second, ticks would meter nothing new (seconds are whole); over 5 minutes, a call
  // could run far past its credit between two looks.
  if (tickMs < 1000 || tickMs > 300_000) throw new Error("PREPAID_CONNECTOR_TICK must be between 1s and 5m");
  return {
    tickMs,
    staleMs: Math.max(tickMs, durationMs("PREPAID_CONNECTOR_STALE", "2m")),
    twilio: twilio && { accountSid: twilio[0], authToken: twilio[1], apiBase: url(env, "TWILIO_API_BASE", "https://api.twilio.com") },
    vapi: vapi && { apiKey: vapi[0], webhookSecret: vapi[1], apiBase: url(env, "VAPI_API_BASE", "https://api.vapi.ai") },
    retell: retellKey ? { apiKey: retellKey, apiBase: url(env, "RETELL_API_BASE", "https://api.retellai.com") } : undefined,
  };
}
