import Stripe from "stripe";
import type { LocalStripe } from "./stripe-server.js";

/** What a browser's Stripe.js would do, with the publishable key: the official SDK pointed at the local Stripe. */
export function stripeBrowser(local: LocalStripe): Stripe {
  const url = new URL(local.url);
  return new Stripe(local.publishableKey, { host: url.hostname, port: url.port, protocol: "http", maxNetworkRetries: 0, telemetry: false });
}
