import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { newId } from "../ids/prefixed-id.js";

export const NOTIFICATION_TYPES = [
  "recharge.succeeded",
  "recharge.failed",
  "balance.low",
  "account.paused",
  "account.resumed",
  "auto_recharge.updated",
  "auto_recharge.limit_reached",
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Events an agency also receives about its subaccounts (DESIGN §1: it is notified of their failures). */
const COPIED_TO_AGENCY: ReadonlySet<NotificationType> = new Set(["recharge.failed", "account.paused"]);

export interface NotificationInput {
  accountId: string;
  /** The account's agency, when it is a subaccount: gets a copy of failures and pauses. */
  agencyId: string | null;
  type: NotificationType;
  message: string;
  data: Record<string, unknown>;
}

/**
 * Writes a notification to the outbox in the caller's transaction, so it exists if and only
 * if the change it reports committed. The in-app feed reads these rows; later channels
 * (webhooks, email) deliver from them too.
 */
export async function notify(tx: Tx, input: NotificationInput): Promise<void> {
  const recipients = [input.accountId];
  if (input.agencyId && COPIED_TO_AGENCY.has(input.type)) recipients.push(input.agencyId);
  for (const recipient of recipients) {
    await tx.execute(
      sql`insert into notifications (id, account_id, subject_account_id, type, message, data)
          values (${newId("ntf")}, ${recipient}, ${input.accountId}, ${input.type}, ${input.message},
                  ${JSON.stringify(input.data)}::jsonb)`,
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
    sql`select * from notifications where account_id = ${accountId}
        ${beforeSeq === undefined ? sql`` : sql`and seq < ${beforeSeq}`}
        order by seq desc limit ${limit + 1}`,
  );
  const [count] = await queryRows<{ n: bigint }>(
    tx,
    sql`select count(*) as n from notifications where account_id = ${accountId} and read_at is null`,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
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
    nextSeq: rows.length > limit && last ? BigInt(last.seq) : undefined,
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
