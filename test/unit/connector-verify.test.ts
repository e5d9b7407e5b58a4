import { createHmac } from "node:crypto";
import Retell from "retell-sdk";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { RetellConnector } from "../../src/connectors/retell.js";
import { TwilioConnector } from "../../src/connectors/twilio.js";
import { VapiConnector } from "../../src/connectors/vapi.js";
import type { ProviderRequest } from "../../src/connectors/connector.js";

const now = new Date("2026-12-07T20:00:00Z");
const request = (url: string, rawBody: string, headers: Record<string, string>): ProviderRequest => ({
  url,
  rawBody,
  header: (name) => headers[name.toLowerCase()],
});

describe("provider signatures and formats (no network)", () => {
  const sid = "AC00000000000000000000000000000001";
  const token = "twilio-token";
  const twilioConnector = new TwilioConnector({ accountSid: sid, authToken: token, apiBase: new URL("http://127.0.0.1:9") });
  const params = { AccountSid: sid, CallSid: "CA1", CallStatus: "completed", CallDuration: "61", Timestamp: now.toUTCString() };
  const url = "https://billing.example.com/v1/connectors/twilio/events?prepaid_account_id=acct_A1";

  it("Twilio: the account rides in the signed URL, so another account's id breaks the signature", async () => {
    const signature = twilio.getExpectedTwilioSignature(token, url, params);
    const body = new URLSearchParams(params).toString();
    expect(await twilioConnector.receive(request(url, body, { "x-twilio-signature": signature }), now)).toEqual({
      kind: "events",
      events: [{ eventKey: "CA1:completed", providerCallId: "CA1", accountId: "acct_A1", at: new Date(now.toUTCString()), kind: "ended", durationSeconds: 61 }],
    });
    const forged = request(url.replace("acct_A1", "acct_B2"), body, { "x-twilio-signature": signature });
    expect(await twilioConnector.receive(forged, now)).toEqual({ kind: "unverified", reason: "bad_signature" });
    // Without its Timestamp (Twilio always sends one), it is taken as of now: a replay of it is a duplicate by its key.
    const { Timestamp: _, ...untimed } = params;
    const untimedSignature = twilio.getExpectedTwilioSignature(token, url, untimed);
    expect(await twilioConnector.receive(request(url, new URLSearchParams(untimed).toString(), { "x-twilio-signature": untimedSignature }), now)).toMatchObject({
      kind: "events",
      events: [{ eventKey: "CA1:completed", at: now, durationSeconds: 61 }],
    });
    const later = new Date(now.getTime() + 6 * 60_000);
    expect(await twilioConnector.receive(request(url, body, { "x-twilio-signature": signature }), later)).toEqual({ kind: "unverified", reason: "stale" });
  });

  const vapi = new VapiConnector({ apiKey: "k", webhookSecret: "s3cret", apiBase: new URL("https://api.vapi.ai") });
  const vapiBody = (controlUrl: string) =>
    JSON.stringify({
      message: {
        type: "status-update",
        status: "in-progress",
        timestamp: now.getTime(),
        call: { id: "c1", assistantOverrides: { metadata: { prepaid_account_id: "acct_A1" } }, monitor: { controlUrl } },
      },
    });

  it("Vapi: the secret header or the body's HMAC; a control URL off Vapi's hosts is never kept", async () => {
    const good = vapiBody("https://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai/c1/control");
    const hmac = createHmac("sha256", "s3cret").update(good).digest("hex");
    const bySignature = await vapi.receive(request("u", good, { "x-vapi-signature": hmac }), now);
    expect(bySignature).toMatchObject({ kind: "events", events: [{ kind: "answered", accountId: "acct_A1", controlUrl: "https://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai/c1/control" }] });
    expect(await vapi.receive(request("u", good, { "x-vapi-secret": "s3cret" }), now)).toMatchObject({ kind: "events" });
    const wrongKey = createHmac("sha256", "another secret").update(good).digest("hex");
    expect(await vapi.receive(request("u", good, { "x-vapi-signature": wrongKey }), now)).toEqual({ kind: "unverified", reason: "bad_signature" });
    expect(await vapi.receive(request("u", good, { "x-vapi-secret": "s3cre" }), now)).toEqual({ kind: "unverified", reason: "bad_signature" });
    const evil = vapiBody("https://169.254.169.254/latest/meta-data");
    const evilEvents = await vapi.receive(request("u", evil, { "x-vapi-secret": "s3cret" }), now);
    expect(evilEvents.kind === "events" && evilEvents.events[0]!.controlUrl).toBeUndefined();
  });

  it("Retell: retell-sdk's signature under the API key, 5 minutes at most", async () => {
    const retell = new RetellConnector({ apiKey: "key_1", apiBase: new URL("http://127.0.0.1:9") });
    const body = JSON.stringify({ event: "call_ended", call: { call_id: "call_1", metadata: { prepaid_account_id: "acct_A1" }, start_timestamp: 1_000, end_timestamp: 62_001 } });
    const signed = await Retell.sign(body, "key_1");
    expect(await retell.receive(request("u", body, { "x-retell-signature": signed }), new Date())).toMatchObject({
      kind: "events",
      events: [{ kind: "ended", durationSeconds: 62, accountId: "acct_A1", eventKey: "call_1:call_ended" }],
    });
    expect(await retell.receive(request("u", body, { "x-retell-signature": await Retell.sign(body, "key_2") }), new Date())).toEqual({ kind: "unverified", reason: "bad_signature" });
    expect(await retell.receive(request("u", body.replace("62001", "99001"), { "x-retell-signature": signed }), new Date())).toMatchObject({ kind: "unverified" });
    expect(await retell.receive(request("u", body, {}), new Date())).toEqual({ kind: "unverified", reason: "unsigned" });
  });
});
