import { sql } from "drizzle-orm";
import type { Config } from "../config/config.js";
import { inTransaction, queryRows, type Database } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { PolledWorker } from "../workers/polled-worker.js";
import { receiptPdf } from "../receipts/receipt-pdf.js";
import { findReceipt, receiptNumberText } from "../receipts/receipts.js";
import { emailContent, type EmailContent } from "./email-content.js";
import { EmailSender } from "./email-sender.js";
import type { NotificationType } from "./words.js";
import { checkOutbound, systemResolver, type HostResolver } from "./outbound-guard.js";
import { openEndpointSecret } from "./webhook-endpoints.js";
import { sendWebhook, type SendResult } from "./webhook-sender.js";
import { log } from "../logging/logger.js";
import { deliveries } from "../metrics/registry.js";
import { arrayLiteral } from "../db/array-literal.js";
import { describeError } from "../errors/describe-error.js";

interface Claimed {
  id: string;
  channel: "webhook" | "email";
  target: string;
  attempts: number;
  secret: string | null;
  notification_id: string;
  account_id: string;
  subject_account_id: string;
  type: NotificationType;
  message: string;
  data: Record<string, unknown> | string;
  created_at: unknown;
  recipient_name: string;
  subject_name: string;
}

/** A class of advisory locks of its own: claims of deliveries take turns across processes (see claim). */
const DELIVERY_CLAIM_LOCK = 7_482_332;
/** Due deliveries looked at per claim: the oldest first, skipping those of endpoints at their limit. */
const CLAIM_WINDOW = 64;

/**
 * Sends queued deliveries (webhooks and emails), side by side (docs/concepts.md): up to
 * `delivery.concurrency` tries in flight per process, at most `delivery.perEndpoint` per
 * webhook endpoint across every process, so a slow or hostile receiver holds only its own
 * slots and never delays another endpoint's events. Each delivery is claimed with a lease
 * (next_attempt_at and lease_expires_at pushed past the longest a try can take: its whole
 * timeout), sent outside any transaction, then recorded: delivered, or due again after the
 * next backoff delay, or failed once the delays are used up. A try is never re-sent while in
 * flight: the lease outlasts it. A process dying mid-send leaves the row to come due again when
 * its lease ends: delivery is at least once, and receivers dedupe on the event id (webhooks)
 * or the Message-ID (email).
 */
export class DeliveryWorker extends PolledWorker {
  private readonly email: EmailSender;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly resolveHost: HostResolver = systemResolver,
  ) {
    super("delivery worker", config.workerPollMs);
    const { delivery } = config;
    this.email = new EmailSender({ smtpUrl: delivery.smtpUrl, outboxDir: delivery.outboxDir, from: delivery.emailFrom, timeoutMs: delivery.timeoutMs });
  }

  /** Claims what free slots allow and starts each try without waiting for it; a finished try frees its slot and looks again. */
  async runOnce(): Promise<number> {
    const free = this.config.delivery.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const claimed = await this.claim(free);
    for (const d of claimed) {
      const attempt: Promise<void> = this.deliver(d).finally(() => {
        this.inFlight.delete(attempt);
        this.nudge();
      });
      this.inFlight.add(attempt);
    }
    return claimed.length;
  }

  /** Stops claiming, then waits for the tries in flight (each ends by its timeout) to be recorded. */
  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all([...this.inFlight]);
  }

  private async deliver(d: Claimed): Promise<void> {
    try {
      await this.record(d, await this.send(d));
    } catch (error) {
      // Its lease ends and it comes due again: at least once, never lost.
      log.error({ delivery_id: d.id, err: describeError(error) }, "delivery try failed unexpectedly; it comes due again when its lease ends");
    }
  }

  /**
   * Claims up to `limit` due deliveries, oldest first, leaving out those of endpoints that
   * already have `perEndpoint` tries in flight (an unexpired lease). Claims take turns across
   * processes (a transaction-scoped advisory lock), so the in-flight counts they read include
   * every other claim: the per-endpoint limit holds exactly.
   */
  private claim(limit: number): Promise<Claimed[]> {
    const { timeoutMs, perEndpoint } = this.config.delivery;
    // Longer than a try can take (it is cut at timeoutMs, the address check included), so a
    // live sender always records before the row is due again.
    const holdSeconds = (timeoutMs * 2) / 1000 + 5;
    return inTransaction(this.db, async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${DELIVERY_CLAIM_LOCK}, 0)`);
      const candidates = await queryRows<{ id: string; endpoint_id: string | null; busy: number }>(
        tx,
        sql`with busy as (
              select endpoint_id, count(*)::int as n from deliveries
              where status = 'pending' and lease_expires_at > now() and endpoint_id is not null
              group by endpoint_id
            )
            select d.id, d.endpoint_id, coalesce(b.n, 0) as busy
            from deliveries d left join busy b on b.endpoint_id = d.endpoint_id
            where d.status = 'pending' and d.next_attempt_at <= now() and coalesce(b.n, 0) < ${perEndpoint}
            order by d.next_attempt_at limit ${CLAIM_WINDOW}
            for update of d skip locked`,
      );
      const chosen = chooseDeliveries(candidates, limit, perEndpoint);
      if (chosen.length === 0) return [];
      return queryRows<Claimed>(
        tx,
        sql`with claimed as (
              update deliveries d set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${holdSeconds}),
                lease_expires_at = now() + make_interval(secs => ${holdSeconds})
              where d.id = any(${arrayLiteral(chosen)}::text[])
              returning d.id, d.channel, d.target, d.attempts, d.endpoint_id, d.notification_id
            )
            select c.id, c.channel, c.target, c.attempts, e.secret, n.id as notification_id, n.account_id, n.subject_account_id,
                   n.type, n.message, n.data, n.created_at, recipient.name as recipient_name, subject.name as subject_name
            from claimed c
            join notifications n on n.id = c.notification_id
            join accounts recipient on recipient.id = n.account_id
            join accounts subject on subject.id = n.subject_account_id
            left join webhook_endpoints e on e.id = c.endpoint_id`,
      );
    });
  }

  private async send(d: Claimed): Promise<SendResult> {
    const data = typeof d.data === "string" ? (JSON.parse(d.data) as Record<string, unknown>) : d.data;
    if (d.channel === "webhook") {
      if (!d.secret) throw new Error(`assertion: webhook delivery ${d.id} has an endpoint`);
      const event = {
        id: d.notification_id,
        type: d.type,
        created_at: toIso(d.created_at),
        account_id: d.account_id,
        subject_account_id: d.subject_account_id,
        message: d.message,
        data,
      };
      // Checked again at every delivery: the name may resolve elsewhere since registration.
      // The lookup counts against the try's time: a resolver that hangs cannot hold the slot.
      const url = new URL(d.target);
      const checked = await withinMs(
        checkOutbound(url, { allowPrivate: this.config.delivery.allowPrivate, resolve: this.resolveHost }),
        this.config.delivery.timeoutMs,
        { ok: false, reason: "its host name did not resolve in time" } as const,
      );
      if (!checked.ok) return { ok: false, status: null, error: `refused: ${checked.reason}` };
      const secret = openEndpointSecret(this.config.secrets, d.secret);
      return sendWebhook({ url, address: checked.address, family: checked.family }, secret, event, this.config.delivery.timeoutMs);
    }
    const about = d.subject_account_id === d.account_id ? null : d.subject_name;
    const content = emailContent({ type: d.type, message: d.message, data, subjectName: about, recipientName: d.recipient_name });
    return this.email.send(d.id, d.target, { ...content, ...(await this.receiptAttachment(d.type, d.subject_account_id, data)) });
  }

  /** A payment's email carries its numbered PDF receipt (docs/concepts.md), made from what was stored when it settled. */
  private async receiptAttachment(type: string, accountId: string, data: Record<string, unknown>): Promise<Pick<EmailContent, "attachments">> {
    if (type !== "recharge.succeeded" || typeof data.recharge_id !== "string") return {};
    const receipt = await findReceipt(this.db, accountId, data.recharge_id);
    if (!receipt) return {};
    return { attachments: [{ filename: `receipt-${receiptNumberText(receipt.number)}.pdf`, content: await receiptPdf(receipt), contentType: "application/pdf" }] };
  }

  private async record(d: Claimed, result: SendResult): Promise<void> {
    const attempt = Number(d.attempts);
    const delays = this.config.delivery.retryDelaysMs;
    // `attempts = ${attempt}`: only the claim that sent it records it.
    if (result.ok) {
      await this.db.execute(
        sql`update deliveries set status = 'delivered', delivered_at = now(), last_status_code = ${result.status}, last_error = null, lease_expires_at = null
            where id = ${d.id} and attempts = ${attempt}`,
      );
      deliveries.inc({ channel: d.channel, outcome: "delivered" });
      return;
    }
    const error = result.error.slice(0, 500);
    if (attempt > delays.length) {
      await this.db.execute(
        sql`update deliveries set status = 'failed', last_status_code = ${result.status}, last_error = ${error}, lease_expires_at = null
            where id = ${d.id} and attempts = ${attempt}`,
      );
      deliveries.inc({ channel: d.channel, outcome: "failed" });
      log.warn({ event: "delivery.failed", delivery_id: d.id, channel: d.channel, target: redactTarget(d), attempts: attempt, err: error }, "delivery failed for good");
      return;
    }
    await this.db.execute(
      sql`update deliveries set next_attempt_at = now() + make_interval(secs => ${delays[attempt - 1]! / 1000}),
            last_status_code = ${result.status}, last_error = ${error}, lease_expires_at = null
          where id = ${d.id} and attempts = ${attempt}`,
    );
    deliveries.inc({ channel: d.channel, outcome: "retry" });
  }
}

/** A URL without its query (it may carry a token); an email address without its local part (a person's name). */
function redactTarget(d: Claimed): string {
  if (d.channel !== "webhook") return `…@${d.target.split("@").pop()}`;
  const url = new URL(d.target);
  return `${url.origin}${url.pathname}`;
}

/**
 * Which candidates to claim (pure): oldest first, at most `limit`, and per webhook endpoint no
 * more than its free slots (`perEndpoint` less its tries in flight, `busy`). Emails have no
 * endpoint and no per-endpoint limit.
 */
export function chooseDeliveries(candidates: ReadonlyArray<{ id: string; endpoint_id: string | null; busy: number }>, limit: number, perEndpoint: number): string[] {
  const taken = new Map<string, number>();
  const chosen: string[] = [];
  for (const c of candidates) {
    if (chosen.length >= limit) break;
    if (c.endpoint_id !== null) {
      const inFlight = Number(c.busy) + (taken.get(c.endpoint_id) ?? 0);
      if (inFlight >= perEndpoint) continue;
      taken.set(c.endpoint_id, (taken.get(c.endpoint_id) ?? 0) + 1);
    }
    chosen.push(c.id);
  }
  return chosen;
}

/** The promise's value, or `fallback` once `ms` have passed (the promise is left to settle unheard). */
function withinMs<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
