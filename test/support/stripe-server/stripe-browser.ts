import Stripe from "stripe";
import type { LocalStripe } from "./stripe-server.js";

/** What a browser's Stripe.js would do, with the publishable key: the official SDK pointed at the local Stripe. */
export function stripeBrowser(local: LocalStripe): Stripe {
  const url = new URL(local.url);
  return new Stripe(local.publishableKey, { host: url.hostname, port: url.port, protocol: "http", maxNetworkRetries: 0, telemetry: false });
}

/**
 * A confirmation as Stripe.js sends it from the browser: publishable key plus the intent's
 * client secret (the server-side SDK has no such parameter, so this is a plain form POST).
 */
export async function confirmFromBrowser(local: LocalStripe, intentPath: string, params: Record<string, string>): Promise<{ status: string }> {
  const res = await fetch(`${local.url}/v1/${intentPath}/confirm`, {
    method: "POST",
    headers: { Authorization: `Bearer ${local.publishableKey}`, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
  const body = (await res.json()) as { status: string; error?: { message: string } };
  if (!res.ok) throw new Error(`Stripe ${res.status}: ${body.error?.message}`);
  return body;
}
