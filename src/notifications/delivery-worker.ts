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

/**
 * Sends queued deliveries (webhooks and emails). Each is claimed by pushing its
 * next_attempt_at past the send timeout (FOR UPDATE SKIP LOCKED, so several processes share
 * the work), sent outside any transaction, then recorded: delivered, or due again after the
 * next backoff delay, or failed once the delays are used up. A process dying mid-send leaves
 * the row to come due again: delivery is at least once, and receivers dedupe on the event id
 * (webhooks) or the Message-ID (email).
 */
export class DeliveryWorker extends PolledWorker {
  private readonly email: EmailSender;

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly resolveHost: HostResolver = systemResolver,
  ) {
    super("delivery worker", config.workerPollMs);
    const { delivery } = config;
    this.email = new EmailSender({ smtpUrl: delivery.smtpUrl, outboxDir: delivery.outboxDir, from: delivery.emailFrom, timeoutMs: delivery.timeoutMs });
  }

  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map(async (d) => this.record(d, await this.send(d))));
    return claimed.length;
  }

  private claim(): Promise<Claimed[]> {
    // Longer than any send can take, so a live sender always records before the row is due again.
    const holdSeconds = (this.config.delivery.timeoutMs * 2) / 1000 + 5;
    return inTransaction(this.db, (tx) =>
      queryRows<Claimed>(
        tx,
        sql`with due as (
              select id from deliveries where status = 'pending' and next_attempt_at <= now()
              order by next_attempt_at for update skip locked limit 16
            ), claimed as (
              update deliveries d set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${holdSeconds})
              from due where d.id = due.id
              returning d.id, d.channel, d.target, d.attempts, d.endpoint_id, d.notification_id
            )
            select c.id, c.channel, c.target, c.attempts, e.secret, n.id as notification_id, n.account_id, n.subject_account_id,
                   n.type, n.message, n.data, n.created_at, recipient.name as recipient_name, subject.name as subject_name
            from claimed c
            join notifications n on n.id = c.notification_id
            join accounts recipient on recipient.id = n.account_id
            join accounts subject on subject.id = n.subject_account_id
            left join webhook_endpoints e on e.id = c.endpoint_id`,
      ),
    );
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
      const url = new URL(d.target);
      const checked = await checkOutbound(url, { allowPrivate: this.config.delivery.allowPrivate, resolve: this.resolveHost });
      if (!checked.ok) return { ok: false, status: null, error: `refused: ${checked.reason}` };
      const secret = openEndpointSecret(this.config.secrets, d.secret);
      return sendWebhook({ url, address: checked.address, family: checked.family }, secret, event, this.config.delivery.timeoutMs);
    }
    const about = d.subject_account_id === d.account_id ? null : d.subject_name;
    const content = emailContent({ type: d.type, message: d.message, data, subjectName: about, recipientName: d.recipient_name });
    return this.email.send(d.id, d.target, { ...content, ...(await this.receiptAttachment(d.type, d.subject_account_id, data)) });
  }

  /** A payment's email carries its numbered PDF receipt (DESIGN §6), made from what was stored when it settled. */
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
        sql`update deliveries set status = 'delivered', delivered_at = now(), last_status_code = ${result.status}, last_error = null
            where id = ${d.id} and attempts = ${attempt}`,
      );
      deliveries.inc({ channel: d.channel, outcome: "delivered" });
      return;
    }
    const error = result.error.slice(0, 500);
    if (attempt > delays.length) {
      await this.db.execute(
        sql`update deliveries set status = 'failed', last_status_code = ${result.status}, last_error = ${error}
            where id = ${d.id} and attempts = ${attempt}`,
      );
      deliveries.inc({ channel: d.channel, outcome: "failed" });
      log.warn({ event: "delivery.failed", delivery_id: d.id, channel: d.channel, target: redactTarget(d), attempts: attempt, err: error }, "delivery failed for good");
      return;
    }
    await this.db.execute(
      sql`update deliveries set next_attempt_at = now() + make_interval(secs => ${delays[attempt - 1]! / 1000}),
            last_status_code = ${result.status}, last_error = ${error}
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
