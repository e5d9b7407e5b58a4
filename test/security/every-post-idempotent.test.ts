import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { CARDS } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

/**
 * Every POST in /openapi.json keeps the Idempotency-Key contract (docs/concepts.md): the same key and
 * body replay the stored answer byte for byte, and the same key with another body is 409. Each
 * POST needs an entry here — two valid bodies and the key to send them with — so a route added
 * without one fails this test, and no route can quietly ignore the header again.
 */
interface Fixture {
  admin: string;
  account: { id: string; key: string };
  keyId: string;
  callId: () => Promise<string>;
}
type Case = { key: (f: Fixture) => string; bodies: [unknown, unknown]; path?: (f: Fixture) => Promise<string> };

const own = (f: Fixture) => f.account.key;
const CASES: Record<string, Case> = {
  "POST /v1/accounts": { key: (f) => f.admin, bodies: [{ name: "Walk A", type: "user" }, { name: "Walk B", type: "user" }] },
  "POST /v1/accounts/{id}/api-keys": { key: own, bodies: [{ name: "walk a" }, { name: "walk b" }] },
  "POST /v1/accounts/{id}/api-keys/{key_id}/rotate": { key: own, bodies: [{ grace_seconds: 60 }, { grace_seconds: 61 }] },
  "POST /v1/accounts/{id}/adjustments": { key: (f) => f.admin, bodies: [{ amount: "1.00", reason: "walk" }, { amount: "2.00", reason: "walk" }] },
  "POST /v1/accounts/{id}/payment-methods": {
    key: own,
    bodies: [{ card: { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" } }, { card: { number: CARDS.visa, exp_month: 11, exp_year: 2034, cvc: "123" } }],
  },
  "POST /v1/accounts/{id}/auto-recharge/preview": { key: own, bodies: [{ enabled: true, threshold: "5", amount: "10" }, { enabled: true, threshold: "5", amount: "11" }] },
  "POST /v1/accounts/{id}/recharges": { key: own, bodies: [{ amount: "10" }, { amount: "11" }] },
  "POST /v1/accounts/{id}/notifications/read": { key: own, bodies: [{ ids: "all" }, { ids: [] }] },
  "POST /v1/accounts/{id}/recharges/{recharge}/refunds": {
    key: (f) => f.admin,
    bodies: [{ amount: "1.00", reason: "walk" }, { amount: "2.00", reason: "walk" }],
    path: async (f) => `/v1/accounts/${f.account.id}/recharges/${await succeededCharge(f.account.id)}/refunds`,
  },
  "POST /v1/accounts/{id}/grants": {
    key: (f) => f.admin,
    bodies: [{ amount: "1.00", reason: "walk", category: "promotional" }, { amount: "2.00", reason: "walk", category: "compensation" }],
  },
  "POST /v1/price-plans": {
    key: (f) => f.admin,
    bodies: [{ name: "Walk A", rate_per_minute: { web_widget: "0.12", default: "0.14" } }, { name: "Walk B", rate_per_minute: { web_widget: "0.12", default: "0.14" } }],
  },
  "POST /v1/accounts/{id}/fees": { key: (f) => f.admin, bodies: [{ name: "Walk A", amount: "1.00", interval: "month" }, { name: "Walk B", amount: "1.00", interval: "month" }] },
  // No body of its own: the second "body" differs only in bytes, which the key's fingerprint covers.
  "POST /v1/accounts/{id}/deliveries/{delivery}/resend": {
    key: own,
    bodies: [{}, { again: true }],
    path: async (f) => `/v1/accounts/${f.account.id}/deliveries/${await failedDelivery(f.account.id)}/resend`,
  },
  "POST /v1/accounts/{id}/webhook-endpoints": { key: own, bodies: [{ url: "http://127.0.0.1:9/a" }, { url: "http://127.0.0.1:9/b" }] },
  "POST /v1/calls": { key: own, bodies: [{ account_id: "{id}" }, { account_id: "{id}", call_id: "call_walk_other" }] },
  "POST /v1/calls/{id}/usage": { key: own, bodies: [{ elapsed_seconds: 30 }, { elapsed_seconds: 31 }], path: async (f) => `/v1/calls/${await f.callId()}/usage` },
  "POST /v1/calls/{id}/end": { key: own, bodies: [{ elapsed_seconds: 60 }, { elapsed_seconds: 61 }], path: async (f) => `/v1/calls/${await f.callId()}/end` },
  "POST /v1/operator/sessions": { key: (f) => f.admin, bodies: [{ ttl_seconds: 600 }, { ttl_seconds: 601 }] },
  "POST /v1/accounts/{id}/sessions": { key: own, bodies: [{ role: "owner" }, { role: "viewer" }] },
  "POST /v1/usage": { key: own, bodies: [{ events: [{ call_id: "{call}", elapsed_seconds: 45 }] }, { events: [{ call_id: "{call}", elapsed_seconds: 46 }] }] },
};
/** A $10 charge that succeeded, as the worker leaves one (this app runs no worker). */
async function succeededCharge(accountId: string): Promise<string> {
  const pm = `pm_walk_${Date.now()}`;
  await app.db.db.execute(
    sql`insert into payment_methods (id, account_id, provider, provider_ref, brand, last4, exp_month, exp_year, is_default)
        values (${pm}, ${accountId}, 'sandbox', 'tok_walk', 'visa', '4242', 12, 2034, false)`,
  );
  const recharge = `rch_walk_${Date.now()}`;
  await app.db.db.execute(
    sql`insert into recharges (id, account_id, trigger, amount_micros, payment_method_id, status, provider_charge_id, settled_at)
        values (${recharge}, ${accountId}, 'manual', 10000000, ${pm}, 'succeeded', 'ch_walk', now())`,
  );
  return recharge;
}

/** A delivery whose retries are used up, as the worker leaves one (this app runs no worker). */
async function failedDelivery(accountId: string): Promise<string> {
  const notification = `ntf_walk_${Date.now()}`;
  await app.db.db.execute(
    sql`insert into notifications (id, account_id, subject_account_id, type, message, data) values (${notification}, ${accountId}, ${accountId}, 'balance.low', 'walk', '{}'::jsonb)`,
  );
  const delivery = `dlv_walk_${Date.now()}`;
  await app.db.db.execute(
    sql`insert into deliveries (id, notification_id, account_id, channel, target, status, attempts, last_error)
        values (${delivery}, ${notification}, ${accountId}, 'email', 'walk@example.test', 'failed', 4, 'refused')`,
  );
  return delivery;
}

/** POSTs outside the contract, and why. */
const EXEMPT: Record<string, string> = {
  "POST /v1/webhooks/stripe": "Stripe's events carry no key of ours: they are authenticated by signature and applied once per event id",
  "POST /v1/connectors/{provider}/events": "a voice provider's events carry no key of ours: they are authenticated by the provider's signature and applied once per event key (test/connectors)",
  "POST /v1/accounts/{id}/payment-methods/setup": "Stripe only: a SetupIntent for the browser; repeating it makes another one and charges nothing",
  "POST /v1/accounts/{id}/recharges/{recharge}/authentication": "Stripe only: answers the recharge's one PaymentIntent (made once, under the recharge's own Stripe idempotency key), writes nothing of ours",
  "POST /v1/accounts/{id}/recharges/{recharge}/lookup": "asks the provider and settles what it says; idempotent by nature (a settled recharge is never settled again), its answer is the recharge as it is now",
  "POST /v1/accounts/{id}/preflight": "writes nothing: a forecast asked twice is computed twice, and each answer is what the account's state is then",
  "POST /v1/accounts/{id}/payment-methods/preview": "writes nothing: what saving a card would charge, computed afresh each time",
  "POST /v1/sessions/exchange":
    "no credential, so no account to scope a key to; a code is one-time by design, and answering its token again to whoever repeats the request would defeat that",
};

let app: TestApp;
let fixture: Fixture;
beforeAll(async () => {
  // No workers: nothing is delivered or charged behind the test's back.
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_WEBHOOK_ALLOW_PRIVATE: "true" }, { worker: false });
  const account = await app.createAccount({ name: "Walker", type: "user" });
  await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "100.00", reason: "walk" } });
  const keys = await app.request("GET", `/v1/accounts/${account.id}/api-keys`, { key: account.key });
  fixture = {
    admin: app.adminKey,
    account,
    keyId: keys.body.data[0].id,
    callId: async () => (await app.request("POST", "/v1/calls", { key: account.key, body: { account_id: account.id } })).body.call_id,
  };
});
afterAll(async () => app?.close());

describe("every POST in /openapi.json", () => {
  it("keeps the Idempotency-Key contract: byte-identical replay, 409 for another body", async () => {
    const doc = (await app.request("GET", "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const posts = Object.entries(doc.paths).flatMap(([path, ops]) => ("post" in ops ? [`POST ${path}`] : []));
    expect(posts.length).toBeGreaterThan(10);
    for (const route of posts) {
      if (EXEMPT[route]) continue;
      const spec = CASES[route];
      expect(spec, `${route} has no case here: add one (or an exemption with its reason)`).toBeDefined();
      const call = await fixture.callId();
      const fill = (body: unknown) => JSON.parse(JSON.stringify(body).replaceAll("{id}", fixture.account.id).replaceAll("{call}", call));
      const path = spec!.path
        ? await spec!.path(fixture)
        : route.slice(5).replace("{id}", fixture.account.id).replace("{key_id}", fixture.keyId);
      const send = async (body: unknown) => {
        const res = await fetch(`${app.server.url}${path}`, {
          method: "POST",
          headers: { Authorization: `Bearer ${spec!.key(fixture)}`, "Content-Type": "application/json", "Idempotency-Key": `walk ${route}` },
          body: JSON.stringify(fill(body)),
        });
        return { status: res.status, text: await res.text(), replayed: res.headers.get("idempotent-replayed") };
      };
      const first = await send(spec!.bodies[0]);
      expect(first.status, `${route}: ${first.text}`).toBeLessThan(300);
      const again = await send(spec!.bodies[0]);
      expect({ route, status: again.status, text: again.text, replayed: again.replayed }).toEqual({ route, status: first.status, text: first.text, replayed: "true" });
      const other = await send(spec!.bodies[1]);
      expect({ route, status: other.status, code: JSON.parse(other.text).error?.code }).toEqual({ route, status: 409, code: "idempotency_conflict" });
    }
  }, 60_000);
});
