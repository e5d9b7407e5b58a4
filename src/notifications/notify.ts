import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { newId } from "../ids/prefixed-id.js";
import { notificationText, type NotificationEvent, type NotificationType } from "./words.js";
import { bySeq, pageOf } from "../db/keyset.js";

/** Events an agency also receives about its subaccounts (DESIGN §1: it is notified of their failures). */
const COPIED_TO_AGENCY: ReadonlySet<NotificationType> = new Set(["recharge.failed", "account.paused"]);

/** Events also sent by email (a settings change is only in the feed and on webhooks: the user just made it). */
export const EMAILED: ReadonlySet<NotificationType> = new Set([
  "recharge.succeeded",
  "recharge.failed",
  "balance.low",
  "account.paused",
  "account.resumed",
  "auto_recharge.limit_reached",
]);

export interface NotificationInput {
  accountId: string;
  /** The account's agency, when it is a subaccount: gets a copy of failures and pauses. */
  agencyId: string | null;
  event: NotificationEvent;
}

/**
 * Writes a notification to the outbox in the caller's transaction, so it exists if and only
 * if the change it reports committed: a row in each recipient's feed and, in the same
 * transaction, one delivery per channel the recipient has for it (webhook endpoints that
 * take the type; the account's email for the emailed types). The delivery worker sends those.
 */
export async function notify(tx: Tx, input: NotificationInput): Promise<void> {
  const { type } = input.event;
  const { message, data } = notificationText(input.event);
  const recipients = [input.accountId];
  if (input.agencyId && COPIED_TO_AGENCY.has(type)) recipients.push(input.agencyId);
  for (const recipient of recipients) {
    const id = newId("ntf");
    await tx.execute(
      sql`insert into notifications (id, account_id, subject_account_id, type, message, data)
          values (${id}, ${recipient}, ${input.accountId}, ${type}, ${message}, ${JSON.stringify(data)}::jsonb)`,
    );
    await queueDeliveries(tx, id, recipient, type);
  }
}

async function queueDeliveries(tx: Tx, notificationId: string, accountId: string, type: NotificationType): Promise<void> {
  const channels = await queryRows<{ channel: "webhook" | "email"; endpoint_id: string | null; target: string }>(
    tx,
    sql`select 'webhook' as channel, e.id as endpoint_id, e.url as target from webhook_endpoints e
        where e.account_id = ${accountId} and e.deleted_at is null and (e.events is null or ${type} = any(e.events))
        union all
        select 'email', null, a.email from accounts a
        where a.id = ${accountId} and a.email is not null and ${EMAILED.has(type)}`,
  );
  for (const c of channels) {
    await tx.execute(
      sql`insert into deliveries (id, notification_id, account_id, channel, endpoint_id, target)
          values (${newId("dlv")}, ${notificationId}, ${accountId}, ${c.channel}, ${c.endpoint_id}, ${c.target})`,
    );
  }
}

export interface Notification {
  id: string;
  accountId: string;
  subjectAccountId: string;
  type: NotificationType;
  message: string;
  data: Record<string, unknown>;
  createdAt: string;
  read: boolean;
}

export async function listNotifications(
  tx: Tx,
  accountId: string,
  limit: number,
  beforeSeq: bigint | undefined,
): Promise<{ notifications: Notification[]; nextSeq: bigint | undefined; unread: bigint }> {
  const rows = await queryRows<{
    seq: bigint;
    id: string;
    account_id: string;
    subject_account_id: string;
    type: NotificationType;
    message: string;
    data: Record<string, unknown>;
    created_at: unknown;
    read_at: unknown;
  }>(
    tx,
    sql`select * from notifications where account_id = ${accountId} ${bySeq(sql`seq`, beforeSeq, limit)}`,
  );
  const [count] = await queryRows<{ n: bigint }>(
    tx,
    sql`select count(*) as n from notifications where account_id = ${accountId} and read_at is null`,
  );
  const { page, next } = pageOf(rows, limit, (last) => BigInt(last.seq));
  return {
    notifications: page.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      subjectAccountId: r.subject_account_id,
      type: r.type,
      message: r.message,
      data: typeof r.data === "string" ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
      createdAt: toIso(r.created_at),
      read: r.read_at !== null,
    })),
    nextSeq: next,
    unread: count?.n ?? 0n,
  };
}

export async function markNotificationsRead(tx: Tx, accountId: string, ids: string[] | "all"): Promise<void> {
  if (ids === "all") {
    await tx.execute(sql`update notifications set read_at = now() where account_id = ${accountId} and read_at is null`);
    return;
  }
  for (const id of ids) {
    await tx.execute(sql`update notifications set read_at = now() where account_id = ${accountId} and id = ${id} and read_at is null`);
  }
}
