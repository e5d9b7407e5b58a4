import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { commitRequest } from "../commit-request.js";
import { invalid } from "../../errors/app-error.js";
import { settleProviderEvent } from "../../billing/provider-events/provider-events.js";
import { translateStripeEvent } from "../../payments/stripe/stripe-events.js";
import { StripeGateway } from "../../payments/stripe/stripe-gateway.js";
import type { AppEnv } from "../context.js";
import { publicErrors, jsonResponse, noCredential } from "../schemas/common.js";
import { EXAMPLES } from "../schemas/examples.js";

export const stripeWebhookRoutes = new OpenAPIHono<AppEnv>();

const Received = z.object({ received: z.literal(true), outcome: z.string() }).openapi("StripeWebhookReceipt", { example: EXAMPLES.StripeWebhookReceipt });

stripeWebhookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/webhooks/stripe",
    tags: ["payments"],
    summary: "Stripe's events (no API key: the Stripe-Signature header is checked, 5-minute tolerance)",
    description:
      "Point a Stripe webhook endpoint here with `payment_intent.succeeded`, `payment_intent.payment_failed` and `setup_intent.succeeded`. Each event is verified on the raw body against STRIPE_WEBHOOK_SECRET, then settles its recharge exactly once, whatever the order and however often Stripe delivers it.",
    security: noCredential,
    request: { headers: z.object({ "stripe-signature": z.string().optional() }) },
    responses: { 200: jsonResponse(Received, "Handled, or recognised as already handled"), ...publicErrors({ 400: "`invalid_request`: Stripe webhooks not enabled; a `Stripe-Signature` that is missing, does not verify or is older than 5 minutes; or a signed body that is not JSON or not a Stripe event (the message names the field)" }) },
  }),
  async (c) => {
    const deps = c.get("deps");
    const gateway = deps.gateway;
    if (!(gateway instanceof StripeGateway)) throw invalid("Stripe webhooks are not enabled: PREPAID_PAYMENTS is not stripe");
    if (!gateway.acceptsWebhooks) throw invalid("Stripe webhooks are not enabled: STRIPE_WEBHOOK_SECRET is not set");
    const signature = c.req.header("Stripe-Signature");
    if (!signature) throw invalid("Stripe-Signature header: required");
    // The signature covers the exact bytes Stripe sent, so the raw text is verified before any parsing.
    const payload = await c.req.text();
    if (!gateway.verifySignature(payload, signature)) {
      throw invalid("Stripe-Signature: does not verify for this body (wrong secret, altered body, or older than 5 minutes)");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      throw invalid("body: not JSON (a Stripe event is a JSON object)");
    }
    // Checked field by field before any transaction: a body that is not an event is a 400 naming what is wrong.
    const event = translateStripeEvent(parsed);
    const outcome = await commitRequest(c, (tx) => settleProviderEvent(tx, deps.config, event));
    return c.json({ received: true as const, outcome }, 200);
  },
);
