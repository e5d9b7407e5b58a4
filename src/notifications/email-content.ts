import { notificationTitle, type NotificationType } from "./words.js";

export interface EmailContent {
  subject: string;
  text: string;
  /** Files sent with it: a payment's PDF receipt. */
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** The notification as an email needs it. */
export interface EmailSource {
  type: NotificationType;
  message: string;
  data: Record<string, unknown>;
  /** The account the notification is about, when it is not the recipient (an agency's copy). */
  subjectName: string | null;
  recipientName: string;
}

/**
 * Subject and plain text of a notification email. The notification's message already holds
 * what the user must know (a receipt's amount, card, new balance and minutes; a failure's
 * reason and next step); the email adds a greeting and says where to act.
 */
export function emailContent(source: EmailSource): EmailContent {
  const about = source.subjectName ? ` (${source.subjectName})` : "";
  const subject = `${notificationTitle(source.type, source.data)}${about}`;
  const nextStep = typeof source.data.next_step === "string" && !source.message.includes(source.data.next_step) ? `\n\n${source.data.next_step}` : "";
  const lines = [
    `Hello ${source.recipientName},`,
    "",
    source.subjectName ? `About your subaccount ${source.subjectName}:` : null,
    `${source.message}${nextStep}`,
    "",
    "Manage cards, Auto-Recharge and history in the Payments section of your dashboard.",
    "",
    "— prepaid",
  ].filter((line) => line !== null);
  return { subject, text: `${lines.join("\n")}\n` };
}
