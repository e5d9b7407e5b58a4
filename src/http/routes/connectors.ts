import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { applyCallEvent, UnknownAccount, type EventOutcome } from "../../billing/connector-calls/connector-events.js";
import { PROVIDER_NAMES, type ProviderName } from "../../connectors/connector.js";
import { AppError, invalid, notFound } from "../../errors/app-error.js";
import { describeError } from "../../errors/describe-error.js";
import { log } from "../../logging/logger.js";
import { connectorEventsTotal } from "../../metrics/registry.js";
import { countOrRefuse } from "../../rate-limits/counter.js";
import { clientAddress } from "../client-address.js";
import type { AppEnv } from "../context.js";
import { errorResponse, jsonResponse, noCredential, publicErrors } from "../schemas/common.js";
import { EXAMPLES } from "../schemas/examples.js";

export const connectorRoutes = new OpenAPIHono<AppEnv>();

/** The path the API-key check lets through: a provider cannot hold our key; its signature is checked instead. */
export const CONNECTOR_EVENTS_PATH = /^\/v1\/connectors\/[^/]+\/events$/;

const Received = z
  .object({
    received: z.literal(true),
    outcome: z.string().openapi({ description: "authorized, refused, answered, billed, duplicate or ignored" }),
    call_id: z.string().nullable().openapi({ description: "prepaid's id of the call (`<provider>-<provider's call id>`); null for an event about no call" }),
  })
  .openapi("ConnectorEventReceipt", { example: EXAMPLES.ConnectorEventReceipt });

connectorRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/connectors/{provider}/events",
    tags: ["calls"],
    summary: "A voice provider's call events (no API key: the provider's own signature is checked)",
    description:
      "Point Twilio's status callback (`?prepaid_account_id=acct_…` in its URL), Vapi's server URL or Retell's webhook here. " +
      "The first event of a call authorises it as `POST /v1/calls` does (a refused call is hung up at the provider); prepaid then meters it itself " +
      "every `PREPAID_CONNECTOR_TICK`, sends `call.wrap_up`, hangs up when the credit is gone, and bills the provider's own duration at its end, " +
      "exactly once however often or in whatever order the provider sends its events. docs/voice-stack.md has each provider's settings.",
    security: noCredential,
    request: { params: z.object({ provider: z.enum(PROVIDER_NAMES as [ProviderName, ...ProviderName[]]) }) },
    responses: {
      200: jsonResponse(Received, "Taken, or recognised as taken before"),
      ...publicErrors({
        400: "`invalid_request`: a signed body that is not the provider's event (the message says what is missing)",
        401: "`unauthorized`: unsigned, wrongly signed, or older than 5 minutes; nothing is written",
      }),
      404: errorResponse("`not_found`: the provider is not configured here, or the call names no account prepaid has (`prepaid_account_id`)"),
    },
  }),
  async (c) => {
    const deps = c.get("deps");
    const provider = c.req.valid("param").provider;
    const connector = deps.connectors.get(provider);
    if (!connector) throw notFound(`${provider} connector (not configured)`);
    // Twilio signs the URL it called: behind a proxy, the public origin is the one it knows.
    const path = new URL(c.req.url);
    const url = deps.config.publicUrl ? new URL(path.pathname + path.search, deps.config.publicUrl).toString() : c.req.url;
    const received = await connector.receive({ url, header: (name) => c.req.header(name), rawBody: await c.req.text() }, deps.now());
    if (received.kind === "unverified") {
      connectorEventsTotal.inc({ provider, outcome: "unverified" });
      log.warn({ provider, reason: received.reason }, "connector: an event was refused");
      await countOrRefuse(deps.db, deps.config.rateLimits, "auth_failures", clientAddress(c));
      throw new AppError("unauthorized", `${provider} event: ${received.reason === "stale" ? "older than 5 minutes" : received.reason === "unsigned" ? "not signed" : "the signature does not verify"}`);
    }
    if (received.kind === "malformed") {
      connectorEventsTotal.inc({ provider, outcome: "malformed" });
      throw invalid(`${provider} event: ${received.reason}`);
    }
    if (received.kind === "ignored") return c.json({ received: true as const, outcome: "ignored", call_id: null }, 200);
    let last: EventOutcome | undefined;
    for (const event of received.events) {
      try {
        last = await applyCallEvent(deps.db, deps.config, deps.usageWriter, provider, event);
      } catch (error) {
        if (!(error instanceof UnknownAccount)) throw error;
        connectorEventsTotal.inc({ provider, outcome: "unknown_account" });
        log.warn({ provider, providerCallId: event.providerCallId, reason: error.message }, "connector: an event names no known account");
        throw notFound("account (prepaid_account_id)");
      }
      // A refused call is hung up after the answer, not before: the provider's webhook must not wait on its own API.
      if (last.hangUp) {
        const callId = last.callId;
        setImmediate(() => {
          deps.connectorTicker?.hangUp(callId).catch((error: unknown) => log.warn({ callId, err: describeError(error) }, "connector: hang-up failed"));
        });
      }
    }
    return c.json({ received: true as const, outcome: last?.outcome ?? "ignored", call_id: last?.callId ?? null }, 200);
  },
);
