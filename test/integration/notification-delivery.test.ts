import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { constructWebhookEvent, WebhookSignatureError } from "../../sdk/src/webhooks.js";
import { addCard, CARDS, saveAutoRecharge, settled, waitFor } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { freePort } from "../support/processes.js";
import { pdfText } from "../support/pdf-text.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// Fast backoff so "down for a while" is a second, not hours.
// Receivers listen on loopback, which only PREPAID_WEBHOOK_ALLOW_PRIVATE lets webhooks reach.
const FAST = { PREPAID_WEBHOOK_ALLOW_PRIVATE: "true", PREPAID_DELIVERY_RETRY_DELAYS: "100ms,200ms,300ms,400ms,500ms,600ms,700ms,800ms", PREPAID_WORKER_POLL_MS: "50" };

async function start(env: Record<string, string>): Promise<TestApp> {
  const app = await startTestApp({ ...FAST, ...env });
  cleanups.push(() => app.close());
  return app;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A user whose first Auto-Recharge fails and pauses it, then succeeds on a new card: failed, paused, succeeded, resumed. */
async function failThenRecover(app: TestApp, account: { id: string; key: string }) {
  await addCard(app, account, CARDS.declinesOnCharge);
  await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
  await settled(app, account);
  await addCard(app, account, CARDS.visa);
  await waitFor("the retry on the new card", async () => ((await settled(app, account)).some((r) => r.status === "succeeded") ? true : undefined));
}

async function userWith(app: TestApp, input: Record<string, unknown>, balance = "0.10") {
  const account = await app.createAccount({ name: "Acme Voice", type: "user", web_widget: true, ...input });
  await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: balance, reason: "opening" } });
  return account;
}

describe("customer webhooks", () => {
  it("a receiver that is down for a while gets every event later, once per event id, signed", async () => {
    const app = await start({});
    const port = await freePort();
    const account = await userWith(app, {});
    const created = await app.request("POST", `/v1/accounts/${account.id}/webhook-endpoints`, {
      key: account.key,
      body: { url: `http://127.0.0.1:${port}/hooks/prepaid?token=abc` },
    });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^whsec_/);

    // Down: nothing listens on the port while the account fails, pauses, recovers — and stays
    // down until every delivery has been tried once. (The last event, written by the retry's
    // settlement, can otherwise reach the worker only after the receiver is up, and arrive on
    // its first try: this test is about events sent while the receiver was down.)
    await failThenRecover(app, account);
    await waitFor("every delivery tried while the receiver is down", async () => {
      const [row] = await queryRows<{ untried: bigint; tried: bigint }>(
        app.db.db,
        sql`select count(*) filter (where attempts = 0)::bigint as untried, count(*) filter (where attempts > 0 and status = 'pending')::bigint as tried
            from deliveries where account_id = ${account.id}`,
      );
      return row && BigInt(row.untried) === 0n && BigInt(row.tried) > 0n ? true : undefined;
    });

    // Up, but failing (503) for its first requests, then healthy.
    const accepted = new Map<string, number>();
    const refused: string[] = [];
    let badSignatures = 0;
    const receiver: Server = createServer(async (req, res) => {
      const body = await bodyOf(req);
      let event: { id: string };
      try {
        event = constructWebhookEvent(body, req.headers, secret); // what a receiver does with the SDK
      } catch (error) {
        if (!(error instanceof WebhookSignatureError)) throw error;
        badSignatures++;
        event = JSON.parse(body) as { id: string };
      }
      if (refused.length < 3) {
        refused.push(event.id);
        res.writeHead(503).end();
        return;
      }
      accepted.set(event.id, (accepted.get(event.id) ?? 0) + 1);
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(port, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => receiver.close(resolve)));

    const events = await queryRows<{ id: string; type: string }>(
      app.db.db,
      sql`select id, type from notifications where account_id = ${account.id} order by seq`,
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["auto_recharge.updated", "recharge.failed", "account.paused", "recharge.succeeded", "account.resumed"]),
    );
    await waitFor("every event delivered", async () => (accepted.size === events.length ? true : undefined), 20_000);
    // Give a duplicate time to show up, if one were coming.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...accepted.keys()].sort()).toEqual(events.map((e) => e.id).sort());
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    expect(badSignatures).toBe(0);

    const log = await app.request("GET", `/v1/accounts/${account.id}/deliveries?limit=100`, { key: account.key });
    expect(log.status).toBe(200);
    expect(log.body.data).toHaveLength(events.length);
    for (const d of log.body.data) {
      expect(d).toMatchObject({ channel: "webhook", status: "delivered", last_status_code: 204, last_error: null });
      expect(d.attempts).toBeGreaterThan(1);
    }
  }, 60_000);

  it("a failed delivery is resent once, at once, with the same event id, when the owner asks; only a failed one", async () => {
    // One retry after 50 ms: the second failure is final.
    const app = await start({ PREPAID_DELIVERY_RETRY_DELAYS: "50ms" });
    let healthy = false;
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      void bodyOf(req).then((body) => {
        received.push(JSON.parse(body).id as string);
        res.writeHead(healthy ? 200 : 500).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => receiver.close(resolve)));
    const account = await userWith(app, {}, "20.00");
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    expect((await app.request("POST", `/v1/accounts/${account.id}/webhook-endpoints`, { key: account.key, body: { url, events: ["balance.low"] } })).status).toBe(201);
    await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "-15.00", reason: "below the threshold" } });
    const deliveriesOf = async () => (await app.request("GET", `/v1/accounts/${account.id}/deliveries`, { key: account.key })).body.data as { id: string; notification_id: string; status: string; attempts: number; last_status_code: number | null }[];
    const failed = await waitFor("the delivery to fail", async () => (await deliveriesOf()).find((d) => d.status === "failed"));
    expect(failed).toMatchObject({ attempts: 2, last_status_code: 500 });

    // A delivered or pending one is not resent; nor is another account's.
    const other = await userWith(app, {});
    expect((await app.request("POST", `/v1/accounts/${other.id}/deliveries/${failed.id}/resend`, { key: other.key })).status).toBe(404);
    healthy = true;
    const resent = await app.request("POST", `/v1/accounts/${account.id}/deliveries/${failed.id}/resend`, { key: account.key });
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body).toMatchObject({ id: failed.id, status: "pending" });
    const delivered = await waitFor("the resend to arrive", async () => (await deliveriesOf()).find((d) => d.id === failed.id && d.status === "delivered"));
    expect(delivered).toMatchObject({ attempts: 3, last_status_code: 200 });
    expect(received).toEqual([failed.notification_id, failed.notification_id, failed.notification_id]);
    const again = await app.request("POST", `/v1/accounts/${account.id}/deliveries/${failed.id}/resend`, { key: account.key });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe("this delivery was delivered already");
    // The owner's action is in the audit log.
    const audit = await app.request("GET", `/v1/accounts/${account.id}/audit-log`, { key: account.key });
    expect(audit.body.data[0]).toMatchObject({ action: "delivery.resent", changes: { delivery_id: [null, failed.id] } });
  });

  it("refuses plain HTTP to other hosts, and an agency's endpoint gets its subaccounts' failures and pauses", async () => {
    const app = await start({});
    const agency = await app.createAccount({ name: "Harbor Agency", type: "agency" });
    const http = await app.request("POST", `/v1/accounts/${agency.id}/webhook-endpoints`, { key: agency.key, body: { url: "http://hooks.example.com/x" } });
    expect(http.status).toBe(400);
    expect(http.body.error.message).toBe("url: must be https:// (events carry account and payment data; plain http:// is only for this machine, in development)");

    const received: { type: string; subject_account_id: string }[] = [];
    const receiver = createServer(async (req, res) => {
      received.push(JSON.parse(await bodyOf(req)));
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => receiver.close(resolve)));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    expect((await app.request("POST", `/v1/accounts/${agency.id}/webhook-endpoints`, { key: agency.key, body: { url } })).status).toBe(201);

    const sub = await userWith(app, { name: "Bright Realty", type: "subaccount", parent_id: agency.id });
    // The agency may not register endpoints for its subaccount.
    expect((await app.request("POST", `/v1/accounts/${sub.id}/webhook-endpoints`, { key: agency.key, body: { url } })).status).toBe(403);
    await failThenRecover(app, sub);
    await waitFor("the agency's copies", async () => (received.length >= 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.map((e) => [e.type, e.subject_account_id]).sort()).toEqual([
      ["account.paused", sub.id],
      ["recharge.failed", sub.id],
    ]);
  }, 60_000);
});

describe("email", () => {
  it("over SMTP: failure notice with reason and next step, paused, receipt with card, balance and minutes, resumed; the agency hears of failures", async () => {
    const mails: ParsedMail[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => mails.push(mail))
          .then(() => callback(), callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => smtp.close(() => resolve(undefined))));
    const port = (smtp.server.address() as AddressInfo).port;
    const app = await start({ SMTP_URL: `smtp://127.0.0.1:${port}` });

    const agency = await app.createAccount({ name: "Harbor Agency", type: "agency", email: "ops@harbor.test" });
    const sub = await userWith(app, { name: "Bright Realty", type: "subaccount", parent_id: agency.id, email: "owner@bright.test" });
    await failThenRecover(app, sub);
    await waitFor("six emails", async () => (mails.length >= 6 ? true : undefined), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const to = (address: string) => mails.filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === address);
    const owner = to("owner@bright.test");
    const subjects = owner.map((m) => m.subject).sort();
    expect(subjects).toEqual([
      "Action needed: your Auto-Recharge payment failed",
      "Receipt: $50.00 added to your prepaid balance",
      "Your account is active again",
      "Your account is paused: new calls are refused",
    ]);
    const failure = owner.find((m) => m.subject?.startsWith("Action needed"))!;
    expect(failure.text).toContain("Your card was declined.");
    expect(failure.text).toContain("Update your card in Payments, or add credit manually.");
    const receipt = owner.find((m) => m.subject?.startsWith("Receipt"))!;
    expect(receipt.text).toMatch(/\$50\.00 charged to Visa •••• 4242\. New balance \$50\.10 \(≈ 313\.12 minutes at \$0\.16\/min\)/);
    expect(receipt.from?.text).toContain("billing@prepaid.localhost");
    // The numbered PDF receipt rides along (docs/concepts.md), and says what the email says.
    expect(receipt.attachments.map((a) => [a.contentType, a.filename])).toEqual([["application/pdf", expect.stringMatching(/^receipt-\d{6}\.pdf$/)]]);
    const pdf = (await pdfText(receipt.attachments[0]!.content)).pages.join(" ");
    expect(pdf).toContain(`Receipt ${receipt.attachments[0]!.filename!.slice("receipt-".length, -".pdf".length)}`);
    expect(pdf).toContain("Amount paid $50.00 USD");
    expect(pdf).toContain("Paid with Visa •••• 4242");
    expect(pdf).toContain("Balance after payment $50.10 USD");

    expect(to("ops@harbor.test").map((m) => m.subject).sort()).toEqual([
      "Action needed: your Auto-Recharge payment failed (Bright Realty)",
      "Your account is paused: new calls are refused (Bright Realty)",
    ]);
    const log = await app.request("GET", `/v1/accounts/${sub.id}/deliveries`, { key: sub.key });
    expect(log.body.data.map((d: { channel: string; status: string }) => [d.channel, d.status])).toEqual(Array(4).fill(["email", "delivered"]));
  }, 60_000);

  it("without SMTP_URL, writes each message to the outbox folder; no card number anywhere", async () => {
    const outbox = await mkdtemp(join(tmpdir(), "prepaid-outbox-"));
    cleanups.push(() => rm(outbox, { recursive: true, force: true }));
    const app = await start({ PREPAID_OUTBOX_DIR: outbox });
    const account = await userWith(app, { email: "owner@acme.test" });
    await failThenRecover(app, account);
    await waitFor("four files", async () => ((await readdir(outbox)).length >= 4 ? true : undefined));
    const files = await Promise.all((await readdir(outbox)).map((f) => readFile(join(outbox, f), "utf8")));
    const receipt = files.find((f) => f.includes("Subject: Receipt: $50.00 added to your prepaid balance"));
    expect(receipt).toBeDefined();
    expect(receipt).toContain("To: owner@acme.test");

    // The card numbers typed in this test appear in no table and no outbox file.
    const rows = await queryRows<{ t: string }>(
      app.db.db,
      sql`select string_agg(t::text, ' ') as t from (
            select to_jsonb(x)::text as t from deliveries x union all select to_jsonb(x)::text from notifications x
            union all select to_jsonb(x)::text from payment_methods x union all select to_jsonb(x)::text from accounts x) s`,
    );
    for (const number of [CARDS.declinesOnCharge, CARDS.visa]) {
      expect(rows[0]!.t).not.toContain(number);
      for (const file of files) expect(file).not.toContain(number);
    }
  }, 60_000);
});
