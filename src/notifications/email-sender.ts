import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import type { EmailContent } from "./email-content.js";
import type { SendResult } from "./webhook-sender.js";

/**
 * Sends email over SMTP (SMTP_URL) or, without it, writes each message as an .eml file to
 * the outbox folder, so the embedded default shows what would have been sent. Both go
 * through nodemailer, so the file is exactly the message SMTP would carry.
 */
export class EmailSender {
  private readonly transport: Transporter;

  constructor(
    private readonly options: { smtpUrl: string | undefined; outboxDir: string; from: string; timeoutMs: number },
  ) {
    this.transport = options.smtpUrl
      ? nodemailer.createTransport({ url: options.smtpUrl, connectionTimeout: options.timeoutMs, greetingTimeout: options.timeoutMs, socketTimeout: options.timeoutMs })
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  }

  /** `deliveryId` names the message (Message-ID), so a receiver can tell a resend from a new one. */
  async send(deliveryId: string, to: string, content: EmailContent): Promise<SendResult> {
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to,
        subject: content.subject,
        text: content.text,
        ...(content.attachments ? { attachments: content.attachments } : {}),
        messageId: `<${deliveryId}@prepaid>`,
      });
      if (!this.options.smtpUrl) {
        await mkdir(this.options.outboxDir, { recursive: true });
        await writeFile(join(this.options.outboxDir, `${deliveryId}.eml`), info.message as Buffer);
      }
      return { ok: true, status: 250 };
    } catch (error) {
      return { ok: false, status: null, error: error instanceof Error ? error.message : String(error) };
    }
  }
}
