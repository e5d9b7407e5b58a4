import { createHmac, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { cardBrand, luhnValid } from "../../../src/payments/card-number.js";
import { parseForm, type FormValue } from "./form.js";
import { testCardBehaviour } from "../../../src/payments/sandbox/test-cards.js";
import { declineOf, TEST_PAYMENT_METHODS } from "./test-cards.js";

/**
 * A local Stripe-compatible server for tests: exactly the endpoints prepaid's Stripe adapter
 * (and a browser saving a card) uses, with Stripe's request encoding, error shapes,
 * idempotency semantics and signed webhooks. Loopback only; state lives in memory.
 *
 *   POST /v1/customers                       GET /v1/customers/:id
 *   POST /v1/payment_methods (card or pm_card_* test ids; publishable key allowed)
 *   GET  /v1/payment_methods/:id             POST /v1/payment_methods/:id/attach | /detach
 *   POST /v1/setup_intents                   POST /v1/setup_intents/:id/confirm   GET /v1/setup_intents/:id
 *   POST /v1/payment_intents (confirm, off_session)   POST /v1/payment_intents/:id/confirm | /cancel
 *   GET  /v1/payment_intents/:id             GET /v1/payment_intents?customer=…
 *
 * And, for the browser tests, what Stripe's own origins serve the page (browser.ts routes
 * https://js.stripe.com, https://hooks.stripe.com and https://api.stripe.com here): a fake
 * Stripe.js (fake-stripe-js/) under /_js/, and the bank's 3-D Secure challenge under /_hooks/.
 * A card that needs authentication (4000 0027 6000 3184) asks for it whenever the customer
 * confirms in the browser (`requires_action`), and declines off-session (`authentication_required`).
 */

type Json = Record<string, unknown>;

interface PaymentIntent extends Json {
  id: string;
  amount: number;
  customer: string | null;
  payment_method: string | null;
  status: string;
  metadata: Record<string, string>;
}

interface StoredResponse {
  fingerprint: string;
  status: number;
  body: Json;
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  status: number | "error";
  at: number;
}

/** A fault the next charge request meets (create or confirm of a PaymentIntent). */
export type ChargeFault =
  /** 500 before anything happens: nothing charged. */
  | "error_before"
  /**
   * The charge happens, then the connection drops before the answer: an unknown outcome. Replays
   * of its idempotency key drop too (the SDK re-sends once on a reset connection), so only a
   * look-up (or the webhook) can tell what happened.
   */
  | "drop_after";

class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    /** Drop the connection instead of answering (the outcome is still stored under the key). */
    readonly drop = false,
  ) {
    super(String(body.message));
  }
}

const invalidRequest = (message: string, param?: string) =>
  new StripeError(400, { type: "invalid_request_error", message, ...(param ? { param } : {}) });
const missing = (what: string, id: string) =>
  new StripeError(404, { type: "invalid_request_error", code: "resource_missing", message: `No such ${what}: '${id}'` });

const now = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}`;
const str = (value: FormValue | undefined): string | undefined => (typeof value === "string" ? value : undefined);
const metadataOf = (value: FormValue | undefined): Record<string, string> =>
  value && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"))
    : {};

export class LocalStripe {
  readonly secretKey = `sk_test_local_${randomBytes(8).toString("hex")}`;
  readonly publishableKey = `pk_test_local_${randomBytes(8).toString("hex")}`;
  readonly webhookSecret = `whsec_${randomBytes(16).toString("hex")}`;
  /** Where events are posted; unset: events are only recorded. */
  webhookUrl: string | undefined;
  /** While true, events wait in `pendingEvents` until a test calls `deliver`. */
  holdWebhooks = false;
  /** How long each charge takes (the card network). */
  chargeDelayMs = 0;
  /** Faults for the next charge requests, first first. */
  readonly chargeFaults: ChargeFault[] = [];
  readonly deliveries: WebhookDelivery[] = [];

  private server: Server | undefined;
  // Stripe's card fingerprint is the same for one number however often it is saved, and says
  // nothing of the number: an HMAC under this server's own key.
  private readonly fingerprintKey = randomBytes(32);
  private readonly customers = new Map<string, Json>();
  private readonly paymentMethods = new Map<string, Json>();
  private readonly behaviours = new Map<string, string>();
  private readonly setupIntents = new Map<string, Json>();
  private readonly paymentIntents = new Map<string, PaymentIntent>();
  private readonly refunds = new Map<string, Json>();
  private readonly disputes = new Map<string, Json>();
  /** How many times each PaymentIntent was confirmed (charge attempts at the network). */
  private readonly confirmations = new Map<string, number>();
  private readonly idempotency = new Map<string, StoredResponse | "in_flight">();
  private readonly droppedKeys = new Set<string>();
  private readonly pendingEvents: Json[] = [];
  private readonly retrying = new Set<Promise<void>>();

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error("assertion: the local Stripe is started");
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.webhookUrl = undefined; // retries in flight give up
    await Promise.allSettled([...this.retrying]);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The environment that points prepaid at this server. */
  env(): Record<string, string> {
    return {
      PREPAID_PAYMENTS: "stripe",
      STRIPE_SECRET_KEY: this.secretKey,
      STRIPE_PUBLISHABLE_KEY: this.publishableKey,
      STRIPE_WEBHOOK_SECRET: this.webhookSecret,
      STRIPE_API_BASE: this.url,
    };
  }

  paymentIntentsOf(customerId: string): PaymentIntent[] {
    return [...this.paymentIntents.values()].filter((pi) => pi.customer === customerId);
  }

  /** Charges as the provider sees them, in the sandbox's shape: one row per PaymentIntent. */
  chargesOf(accountId: string): { idempotency_key: string; status: string; attempts: number; amount_micros: bigint }[] {
    const customer = this.customerIdOf(accountId);
    if (!customer) return [];
    return this.paymentIntentsOf(customer).map((pi) => ({
      idempotency_key: pi.metadata.recharge_id ?? pi.id,
      status: pi.status === "succeeded" ? "succeeded" : "failed",
      attempts: this.confirmations.get(pi.id) ?? 0,
      amount_micros: BigInt(pi.amount) * 10_000n,
    }));
  }

  customerIdOf(accountId: string): string | undefined {
    return [...this.customers.values()].find((c) => (c.metadata as Record<string, string>).account_id === accountId)?.id as string | undefined;
  }

  /** Events created but not delivered because `holdWebhooks` was set. */
  takePendingEvents(): Json[] {
    return this.pendingEvents.splice(0);
  }

  /** The Stripe-Signature header for a payload, as Stripe computes it. */
  signature(payload: string, timestamp = now(), secret = this.webhookSecret): string {
    const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
    return `t=${timestamp},v1=${v1}`;
  }

  /** Posts one event to the webhook URL once; returns the receiver's status. */
  async deliver(event: Json, options: { timestamp?: number; secret?: string } = {}): Promise<number> {
    if (!this.webhookUrl) throw new Error("assertion: a webhook URL is set");
    const payload = JSON.stringify(event, null, 2);
    let status: number | "error" = "error";
    try {
      const res = await fetch(this.webhookUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Stripe-Signature": this.signature(payload, options.timestamp, options.secret) },
        body: payload,
      });
      await res.arrayBuffer();
      status = res.status;
    } finally {
      this.deliveries.push({ eventId: String(event.id), type: String(event.type), status, at: Date.now() });
    }
    return status;
  }

  private emit(type: string, object: Json): void {
    const event: Json = {
      id: newId("evt"),
      object: "event",
      api_version: "2026-10-28.endive",
      created: now(),
      type,
      livemode: false,
      pending_webhooks: 1,
      data: { object: structuredClone(object) },
    };
    if (!this.webhookUrl) return;
    if (this.holdWebhooks) {
      this.pendingEvents.push(event);
      return;
    }
    // Stripe retries a failed delivery with backoff; here the backoff is short, and bounded.
    const attempt = async () => {
      for (let i = 0; i < 8 && this.webhookUrl; i++) {
        const status = await this.deliver(event).catch(() => 0);
        if (status >= 200 && status < 300) return;
        await sleep(50 * 2 ** i);
      }
    };
    const running = attempt().finally(() => this.retrying.delete(running));
    this.retrying.add(running);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Browsers call Stripe's API directly (Stripe.js, our dashboard's card form): CORS, as Stripe answers it.
    res.setHeader("Access-Control-Allow-Origin", "*");
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "Access-Control-Allow-Methods": "GET, POST, DELETE",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, Stripe-Version",
        "Access-Control-Max-Age": "300",
      });
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://local");
    const method = req.method ?? "GET";
    const params = method === "GET" ? parseForm(url.searchParams.toString()) : parseForm(Buffer.concat(chunks).toString("utf8"));
    const send = (status: number, body: Json, replayed = false) => {
      res.writeHead(status, { "Content-Type": "application/json", "Request-Id": newId("req"), ...(replayed ? { "Idempotent-Replayed": "true" } : {}) });
      res.end(JSON.stringify(status >= 400 ? { error: body } : body));
    };

    if (url.pathname.startsWith("/_js/") || url.pathname.startsWith("/_hooks/")) {
      await this.serveBrowserPart(method, url, params, res);
      return;
    }
    // Stripe.js sends its publishable key as the form's `key` (a simple request, no CORS preflight).
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? str(params.key);
    delete params.key;
    // What Stripe.js may do with a publishable key: create a payment method, confirm an intent,
    // and read one back with its client secret.
    const publishableAllowed =
      (method === "POST" && (url.pathname === "/v1/payment_methods" || /^\/v1\/(setup|payment)_intents\/[^/]+\/confirm$/.test(url.pathname))) ||
      (method === "GET" && /^\/v1\/(setup|payment)_intents\/[^/]+$/.test(url.pathname));
    if (auth !== this.secretKey && !(publishableAllowed && auth === this.publishableKey)) {
      send(401, { type: "invalid_request_error", message: "Invalid API Key provided." });
      return;
    }

    // Stripe's idempotency: same key and same request → the first response again; the same key
    // with other parameters → an error; the same key while the first is running → 409.
    const key = method === "POST" ? (req.headers["idempotency-key"] as string | undefined) : undefined;
    const fingerprint = `${method} ${url.pathname} ${JSON.stringify(params)}`;
    if (key) {
      const stored = this.idempotency.get(key);
      if (stored === "in_flight") {
        send(409, { type: "idempotency_error", message: "There is currently another in-progress request using this Stripe-Idempotency-Key." });
        return;
      }
      if (stored) {
        if (this.droppedKeys.has(key)) {
          req.socket.destroy();
          return;
        }
        if (stored.fingerprint !== fingerprint) {
          send(400, {
            type: "idempotency_error",
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          });
        } else {
          send(stored.status, stored.body, true);
        }
        return;
      }
      this.idempotency.set(key, "in_flight");
    }

    let status = 200;
    let body: Json;
    let drop = false;
    try {
      const result = await this.route(method, url, params, auth === this.publishableKey);
      body = result.body;
      drop = result.drop ?? false;
    } catch (error) {
      if (!(error instanceof StripeError)) throw error;
      status = error.status;
      body = error.body;
      drop = error.drop;
    }
    if (key) {
      // A request that failed validation is not saved (Stripe: it never started executing).
      if (status === 400 || status === 500) this.idempotency.delete(key);
      else this.idempotency.set(key, { fingerprint, status, body });
    }
    if (drop) {
      if (key) this.droppedKeys.add(key);
      res.socket?.destroy();
      return;
    }
    send(status, body);
  }

  private async route(method: string, url: URL, p: Record<string, FormValue>, publishable: boolean): Promise<{ body: Json; drop?: boolean }> {
    const parts = url.pathname.split("/").filter(Boolean); // ["v1", resource, id?, action?]
    const [, resource, id, action] = parts;
    const route = `${method} ${resource}${id ? "/:id" : ""}${action ? `/${action}` : ""}`;
    switch (route) {
      case "POST customers": {
        const customer = { id: newId("cus"), object: "customer", created: now(), name: str(p.name) ?? null, metadata: metadataOf(p.metadata) };
        this.customers.set(customer.id, customer);
        return { body: customer };
      }
      case "GET customers/:id":
        return { body: this.customers.get(id!) ?? throwing(missing("customer", id!)) };
      case "POST payment_methods":
        return { body: this.createPaymentMethod(p) };
      case "GET payment_methods/:id":
        return { body: this.paymentMethod(id!) };
      case "POST payment_methods/:id/attach": {
        const pm = this.paymentMethod(id!);
        const customer = str(p.customer);
        if (!customer || !this.customers.has(customer)) throw missing("customer", customer ?? "");
        if (pm.customer && pm.customer !== customer) throw invalidRequest("The payment method you provided has already been attached to a customer.");
        pm.customer = customer;
        return { body: pm };
      }
      case "POST payment_methods/:id/detach": {
        const pm = this.paymentMethod(id!);
        pm.customer = null;
        return { body: pm };
      }
      case "POST setup_intents": {
        const customer = str(p.customer);
        if (customer && !this.customers.has(customer)) throw missing("customer", customer);
        const seti: Json = {
          id: newId("seti"),
          object: "setup_intent",
          created: now(),
          customer: customer ?? null,
          payment_method: null,
          status: "requires_payment_method",
          usage: str(p.usage) ?? "off_session",
          payment_method_types: ["card"],
        };
        seti.client_secret = `${seti.id}_secret_${randomBytes(8).toString("hex")}`;
        this.setupIntents.set(String(seti.id), seti);
        return { body: seti };
      }
      case "GET setup_intents/:id": {
        const seti = this.setupIntents.get(id!) ?? throwing(missing("setup_intent", id!));
        if (publishable && str(p.client_secret) !== seti.client_secret) throw invalidRequest("The client_secret does not match.", "client_secret");
        return { body: seti };
      }
      case "POST setup_intents/:id/confirm": {
        const seti = this.setupIntents.get(id!) ?? throwing(missing("setup_intent", id!));
        if (publishable && str(p.client_secret) !== seti.client_secret) throw invalidRequest("The client_secret does not match.", "client_secret");
        if (seti.status !== "requires_payment_method" && seti.status !== "requires_confirmation") {
          throw invalidRequest(`This SetupIntent's status is ${String(seti.status)}; it cannot be confirmed.`);
        }
        const pm = this.paymentMethod(str(p.payment_method) ?? "");
        seti.payment_method = pm.id;
        seti.last_setup_error = null;
        // Saving never charges. A card that needs authentication asks for it when the customer
        // sets it up in the browser (Stripe.js then shows the bank's challenge); the rest set up.
        if (publishable && this.behaviours.get(String(pm.id)) === "authentication_required") {
          seti.status = "requires_action";
          seti.next_action = this.challengeAction(String(seti.id));
          return { body: seti };
        }
        this.finishSetup(seti);
        return { body: seti };
      }
      case "POST payment_intents":
        return this.createPaymentIntent(p);
      case "GET payment_intents/:id": {
        const pi = this.paymentIntents.get(id!) ?? throwing(missing("payment_intent", id!));
        if (publishable && str(p.client_secret) !== pi.client_secret) throw invalidRequest("The client_secret does not match.", "client_secret");
        return { body: pi };
      }
      case "POST payment_intents/:id/confirm": {
        const pi = this.paymentIntents.get(id!) ?? throwing(missing("payment_intent", id!));
        if (publishable && str(p.client_secret) !== pi.client_secret) throw invalidRequest("The client_secret does not match.", "client_secret");
        if (pi.status !== "requires_payment_method" && pi.status !== "requires_confirmation") {
          throw invalidRequest(`This PaymentIntent's status is ${pi.status}; it cannot be confirmed.`);
        }
        if (str(p.payment_method)) pi.payment_method = this.paymentMethod(str(p.payment_method)!).id as string;
        // From the browser (publishable key) the customer is present: a card that needs
        // authentication asks for it (requires_action), and Stripe.js shows the bank's challenge.
        return this.confirm(pi, publishable);
      }
      case "POST payment_intents/:id/cancel": {
        const pi = this.paymentIntents.get(id!) ?? throwing(missing("payment_intent", id!));
        if (!["requires_payment_method", "requires_confirmation", "requires_action"].includes(pi.status)) {
          throw invalidRequest(`You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`);
        }
        pi.status = "canceled";
        pi.cancellation_reason = str(p.cancellation_reason) ?? null;
        pi.next_action = null;
        this.emit("payment_intent.canceled", pi);
        return { body: pi };
      }
      case "GET payment_intents": {
        const customer = url.searchParams.get("customer");
        const limit = Number(url.searchParams.get("limit") ?? 10);
        const data = [...this.paymentIntents.values()].filter((pi) => !customer || pi.customer === customer).reverse().slice(0, limit);
        return { body: { object: "list", url: "/v1/payment_intents", has_more: false, data } };
      }
      case "POST refunds":
        return { body: this.createRefund(p) };
      case "GET refunds": {
        const intent = url.searchParams.get("payment_intent");
        const data = [...this.refunds.values()].filter((r) => !intent || r.payment_intent === intent).reverse();
        return { body: { object: "list", url: "/v1/refunds", has_more: false, data } };
      }
      default:
        throw new StripeError(404, { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${url.pathname}).` });
    }
  }

  /** The card holder disputes a charge with the bank: Stripe opens a dispute and says so. */
  disputeCharge(paymentIntentId: string, amountCents: number): Json {
    const pi = this.paymentIntents.get(paymentIntentId) ?? throwing(missing("payment_intent", paymentIntentId));
    const dispute: Json = { id: newId("dp"), object: "dispute", amount: amountCents, currency: "usd", charge: pi.latest_charge, payment_intent: pi.id, status: "needs_response", reason: "fraudulent" };
    this.disputes.set(String(dispute.id), dispute);
    this.emit("charge.dispute.created", dispute);
    return dispute;
  }

  /** The bank decides a dispute: `won` (the money comes back) or `lost`. */
  closeDispute(disputeId: string, status: "won" | "lost"): Json {
    const dispute = this.disputes.get(disputeId) ?? throwing(missing("dispute", disputeId));
    dispute.status = status;
    this.emit("charge.dispute.closed", dispute);
    return dispute;
  }

  /** A refund made by hand in Stripe's dashboard: no metadata of ours; its event is sent as any other. */
  refundInDashboard(paymentIntentId: string, amountCents: number): Json {
    return this.createRefund({ payment_intent: paymentIntentId, amount: String(amountCents) });
  }

  /** Refunds made for an account's charges (our refunds carry its id in their metadata). */
  refundsOf(accountId: string): Json[] {
    return [...this.refunds.values()].filter((r) => (r.metadata as Record<string, string>).account_id === accountId);
  }

  /** A refund of a succeeded PaymentIntent's charge, at most what is left of it; succeeds at once, as in test mode. */
  private createRefund(p: Record<string, FormValue>): Json {
    const pi = this.paymentIntents.get(str(p.payment_intent) ?? "") ?? throwing(missing("payment_intent", str(p.payment_intent) ?? ""));
    if (pi.status !== "succeeded") throw invalidRequest("This PaymentIntent does not have a successful charge to refund.", "payment_intent");
    // Stripe refuses to refund a charged-back payment while its dispute is open or once lost.
    if ([...this.disputes.values()].some((d) => d.payment_intent === pi.id && d.status !== "won")) {
      throw new StripeError(400, { type: "invalid_request_error", code: "charge_disputed", message: `Charge ${String(pi.latest_charge)} has been charged back; cannot issue a refund.`, param: "payment_intent" });
    }
    const refunded = [...this.refunds.values()].filter((r) => r.payment_intent === pi.id).reduce((sum, r) => sum + Number(r.amount), 0);
    const amount = str(p.amount) === undefined ? pi.amount - refunded : Number(str(p.amount));
    if (!Number.isSafeInteger(amount) || amount <= 0 || refunded + amount > pi.amount) {
      throw invalidRequest(`Refund amount ($${(amount / 100).toFixed(2)}) is greater than unrefunded amount on charge ($${((pi.amount - refunded) / 100).toFixed(2)})`, "amount");
    }
    const refund: Json = {
      id: newId("re"),
      object: "refund",
      created: now(),
      amount,
      currency: "usd",
      payment_intent: pi.id,
      charge: pi.latest_charge,
      status: "succeeded",
      reason: str(p.reason) ?? null,
      metadata: metadataOf(p.metadata),
    };
    this.refunds.set(String(refund.id), refund);
    const total = refunded + amount;
    this.emit("charge.refunded", {
      id: pi.latest_charge,
      object: "charge",
      amount: pi.amount,
      amount_refunded: total,
      refunded: total === pi.amount,
      payment_intent: pi.id,
      metadata: pi.metadata,
      refunds: { object: "list", data: [...this.refunds.values()].filter((r) => r.payment_intent === pi.id).reverse() },
    });
    return refund;
  }

  private succeed(pi: PaymentIntent): void {
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    pi.latest_charge = newId("ch");
    pi.last_payment_error = null;
    pi.next_action = null;
    this.emit("payment_intent.succeeded", pi);
  }

  private finishSetup(seti: Json): void {
    const pm = this.paymentMethod(String(seti.payment_method));
    if (seti.customer) pm.customer = seti.customer;
    seti.status = "succeeded";
    seti.next_action = null;
    this.emit("setup_intent.succeeded", seti);
  }

  /** Stripe's next action for a bank's challenge: Stripe.js shows `stripe_js` in a frame. */
  private challengeAction(intentId: string): Json {
    return { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect", stripe_js: `${CHALLENGE_PAGE}?intent=${intentId}`, source: newId("src") } };
  }

  /**
   * The cardholder answers the bank's challenge of an intent waiting for it: `complete` lets the
   * payment (or the card's setup) go through; `fail` (or closing it) leaves it unconfirmed, as
   * Stripe does: back to requires_payment_method with an authentication failure, nothing charged.
   */
  completeChallenge(intentId: string, outcome: "complete" | "fail"): Json {
    const pi = this.paymentIntents.get(intentId);
    const seti = pi ? undefined : (this.setupIntents.get(intentId) ?? throwing(missing("intent", intentId)));
    const intent: Json = pi ?? seti!;
    if (intent.status !== "requires_action") throw invalidRequest(`This intent's status is ${String(intent.status)}; there is no challenge to answer.`);
    if (outcome === "complete") {
      if (pi) this.succeed(pi);
      else this.finishSetup(seti!);
      return intent;
    }
    intent.status = "requires_payment_method";
    intent.next_action = null;
    const error = {
      type: "invalid_request_error",
      code: pi ? "payment_intent_authentication_failure" : "setup_intent_authentication_failure",
      message: "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
      payment_method: this.paymentMethod(String(intent.payment_method)),
    };
    if (pi) {
      pi.last_payment_error = error;
      this.emit("payment_intent.payment_failed", pi);
    } else {
      seti!.last_setup_error = error;
      this.emit("setup_intent.setup_failed", seti!);
    }
    return intent;
  }

  /** What Stripe's own origins serve the browser: the fake Stripe.js and its frames, and the bank's challenge. */
  private async serveBrowserPart(method: string, url: URL, params: Record<string, FormValue>, res: ServerResponse): Promise<void> {
    const page = (status: number, type: string, body: string) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(body);
    };
    if (method === "POST" && url.pathname === "/_hooks/3d_secure_2/complete") {
      const intent = this.paymentIntents.get(str(params.intent) ?? "") ?? this.setupIntents.get(str(params.intent) ?? "");
      if (!intent || str(params.client_secret) !== intent.client_secret) return page(400, "application/json", JSON.stringify({ error: { message: "No such challenge." } }));
      try {
        this.completeChallenge(String(intent.id), str(params.outcome) === "complete" ? "complete" : "fail");
      } catch (error) {
        if (!(error instanceof StripeError)) throw error;
        return page(400, "application/json", JSON.stringify({ error: error.body }));
      }
      return page(200, "application/json", JSON.stringify({ status: intent.status }));
    }
    if (method !== "GET") return page(405, "text/plain", "GET only");
    const file = browserFile(url.pathname);
    if (!file) return page(404, "text/plain", `no such file: ${url.pathname}`);
    page(200, file.type, await readFile(file.path, "utf8"));
  }

  private paymentMethod(id: string): Json {
    return this.paymentMethods.get(id) ?? throwing(missing("PaymentMethod", id));
  }

  private createPaymentMethod(p: Record<string, FormValue>): Json {
    if (str(p.type) !== "card") throw invalidRequest("Only type=card is supported here.", "type");
    const card = p.card && typeof p.card === "object" && !Array.isArray(p.card) ? p.card : {};
    const number = str(card.number)?.replace(/\s/g, "") ?? "";
    const expMonth = Number(str(card.exp_month));
    const expYear = Number(str(card.exp_year));
    if (!luhnValid(number)) throw new StripeError(402, { type: "card_error", code: "incorrect_number", param: "card[number]", message: "Your card number is incorrect." });
    if (!(expMonth >= 1 && expMonth <= 12) || !(expYear >= 2000)) {
      throw new StripeError(402, { type: "card_error", code: "invalid_expiry_month", message: "Your card's expiration date is invalid." });
    }
    return this.storePaymentMethod(number, expMonth, expYear);
  }

  private storePaymentMethod(number: string, expMonth: number, expYear: number): Json {
    const pm: Json = {
      id: newId("pm"),
      object: "payment_method",
      type: "card",
      created: now(),
      customer: null,
      metadata: {},
      card: { brand: cardBrand(number), last4: number.slice(-4), exp_month: expMonth, exp_year: expYear, funding: "credit", country: "US",
        fingerprint: createHmac("sha256", this.fingerprintKey).update(number).digest("base64url").slice(0, 16) },
    };
    this.paymentMethods.set(String(pm.id), pm);
    this.behaviours.set(String(pm.id), testCardBehaviour(number));
    return pm;
  }

  /** A test id (pm_card_visa) names a fresh payment method each time it is used, as at Stripe. */
  private resolveTestPaymentMethod(id: string | undefined): string | undefined {
    if (!id || !TEST_PAYMENT_METHODS[id]) return id;
    return String(this.storePaymentMethod(TEST_PAYMENT_METHODS[id], 12, new Date().getUTCFullYear() + 5).id);
  }

  private async createPaymentIntent(p: Record<string, FormValue>): Promise<{ body: Json; drop?: boolean }> {
    const amount = Number(str(p.amount));
    if (!Number.isSafeInteger(amount) || amount < 50) throw invalidRequest("Amount must be at least 50 cents.", "amount");
    if (str(p.currency) !== "usd") throw invalidRequest("Only usd here.", "currency");
    const customer = str(p.customer) ?? null;
    if (customer && !this.customers.has(customer)) throw missing("customer", customer);
    const pmId = this.resolveTestPaymentMethod(str(p.payment_method));
    if (pmId) {
      const pm = this.paymentMethod(pmId);
      if (customer && pm.customer !== customer) {
        throw invalidRequest("The provided PaymentMethod does not belong to this Customer; attach it first.", "payment_method");
      }
    }
    const pi: PaymentIntent = {
      id: newId("pi"),
      object: "payment_intent",
      created: now(),
      amount,
      amount_received: 0,
      currency: "usd",
      customer,
      payment_method: pmId ?? null,
      status: pmId ? "requires_confirmation" : "requires_payment_method",
      metadata: metadataOf(p.metadata),
      latest_charge: null,
      last_payment_error: null,
      off_session: str(p.off_session) === "true",
    };
    pi.client_secret = `${pi.id}_secret_${randomBytes(8).toString("hex")}`;
    this.paymentIntents.set(pi.id, pi);
    if (str(p.confirm) !== "true") return { body: pi };
    return this.confirm(pi);
  }

  private async confirm(pi: PaymentIntent, customerPresent = false): Promise<{ body: Json; drop?: boolean }> {
    if (!pi.payment_method) throw invalidRequest("You must provide a payment method to confirm.", "payment_method");
    const fault = this.chargeFaults.shift();
    if (fault === "error_before") throw new StripeError(500, { type: "api_error", message: "An unknown error occurred (injected)." });
    pi.status = "processing";
    this.confirmations.set(pi.id, (this.confirmations.get(pi.id) ?? 0) + 1);
    if (this.chargeDelayMs > 0) await sleep(this.chargeDelayMs);
    const behaviour = this.behaviours.get(pi.payment_method) ?? "succeed";
    if (behaviour === "authentication_required" && customerPresent) {
      pi.status = "requires_action";
      pi.last_payment_error = null;
      pi.next_action = this.challengeAction(pi.id);
      return { body: pi, drop: fault === "drop_after" };
    }
    if (behaviour === "succeed") {
      this.succeed(pi);
      return { body: pi, drop: fault === "drop_after" };
    }
    const decline = declineOf(behaviour);
    pi.status = "requires_payment_method";
    pi.last_payment_error = { type: "card_error", ...decline, payment_method: this.paymentMethod(pi.payment_method) };
    this.emit("payment_intent.payment_failed", pi);
    throw new StripeError(402, { type: "card_error", ...decline, payment_intent: structuredClone(pi) }, fault === "drop_after");
  }
}

const CHALLENGE_PAGE = "https://hooks.stripe.com/3d_secure_2/challenge";

/**
 * The files the fake's origins serve: Stripe.js at any of its URLs (/v3, /<release>/stripe.js),
 * the Payment Element's frame, and the bank's challenge page.
 */
function browserFile(pathname: string): { path: string; type: string } | undefined {
  const dir = fileURLToPath(new URL("./fake-stripe-js/", import.meta.url));
  if (pathname.startsWith("/_js/") && (/^\/_js\/v3\/?$/.test(pathname) || /^\/_js\/[a-z0-9]+\/stripe\.js$/.test(pathname))) {
    return { path: `${dir}stripe.js`, type: "text/javascript" };
  }
  if (/^\/_js\/[a-z0-9]+\/elements\/payment\.html$/.test(pathname)) return { path: `${dir}payment-element.html`, type: "text/html" };
  if (pathname === "/_hooks/3d_secure_2/challenge") return { path: `${dir}challenge.html`, type: "text/html" };
  return undefined;
}

function throwing(error: Error): never {
  throw error;
}
