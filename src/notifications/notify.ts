import { and, count, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.js";
import { newId } from "../ids/prefixed-id.js";
import { notificationText, type NotificationEvent, type NotificationType } from "./words.js";
import { pageOf } from "../db/keyset.js";
import { notifications } from "../db/schema.js";

/** Events an agency also receives about its subaccounts (docs/concepts.md: it is notified of their failures). */
const COPIED_TO_AGENCY: ReadonlySet<NotificationType> = new Set(["recharge.failed", "account.paused", "balance.alert", "balance.recovered", "dispute.opened"]);

/** Events also sent by email (a settings change is only in the feed and on webhooks: the user just made it). */
export const EMAILED: ReadonlySet<NotificationType> = new Set([
  "recharge.succeeded",
  "recharge.failed",
  "balance.low",
  "account.paused",
  "account.resumed",
  "auto_recharge.limit_reached",
  "balance.alert",
  "refund.succeeded",
  "dispute.opened",
  "dispute.closed",
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
  const rows = await tx
    .select()
    .from(notifications)
    .where(and(eq(notifications.accountId, accountId), beforeSeq === undefined ? undefined : lt(notifications.seq, beforeSeq)))
    .orderBy(desc(notifications.seq))
    .limit(limit + 1);
  const [unread] = await tx
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.accountId, accountId), isNull(notifications.readAt)));
  const { page, next } = pageOf(rows, limit, (last) => last.seq);
  return {
    notifications: page.map((r) => ({
      id: r.id,
      accountId: r.accountId,
      subjectAccountId: r.subjectAccountId,
      type: r.type as NotificationType,
      message: r.message,
      data: r.data as Record<string, unknown>,
      createdAt: r.createdAt.toISOString(),
      read: r.readAt !== null,
    })),
    nextSeq: next,
    unread: BigInt(unread?.n ?? 0),
  };
}

export async function markNotificationsRead(tx: Tx, accountId: string, ids: string[] | "all"): Promise<void> {
  const unread = and(eq(notifications.accountId, accountId), isNull(notifications.readAt));
  await tx
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(ids === "all" ? unread : and(unread, inArray(notifications.id, ids)));
}
