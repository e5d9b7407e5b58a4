import { and, asc, count, eq, isNull, like, sql, type SQL } from "drizzle-orm";
import { queryRows, type Database, type Tx } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { invalid, invalidField, notFound } from "../errors/app-error.js";
import { newId, randomBase62 } from "../ids/prefixed-id.js";
import type { Secrets } from "../secrets/secrets.js";
import { endpointUrlProblem } from "./endpoint-url.js";
import { checkOutbound, type HostResolver } from "./outbound-guard.js";
import type { NotificationType } from "./words.js";
import { byCreated, microsOf, pageOf, type CreatedKey } from "../db/keyset.js";
import { webhookEndpoints } from "../db/schema.js";

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: NotificationType[] | null;
  createdAt: string;
}

/** Each account may register a handful; more is a mistake or abuse (every event fans out to all). */
const MAX_ENDPOINTS = 10;

const ENDPOINT = { id: webhookEndpoints.id, url: webhookEndpoints.url, events: webhookEndpoints.events, createdAt: webhookEndpoints.createdAt };

const endpointFromRow = (r: Pick<typeof webhookEndpoints.$inferSelect, keyof typeof ENDPOINT>): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  events: r.events as NotificationType[] | null,
  createdAt: r.createdAt.toISOString(),
});

/** The account's endpoints that were not deleted, with `more` conditions. */
const liveEndpoints = (accountId: string, ...more: SQL[]) => and(eq(webhookEndpoints.accountId, accountId), isNull(webhookEndpoints.deletedAt), ...more);

/**
 * An endpoint's signing secret from its stored form: sealed under the server secret, or (an
 * endpoint made before sealing, until sealLegacyEndpointSecrets runs) the secret itself.
 */
export function openEndpointSecret(secrets: Secrets, stored: string): string {
  if (stored.startsWith("whsec_")) return stored;
  const secret = secrets.open(stored);
  if (secret === undefined) throw new Error("assertion: a webhook secret opens under the server secret");
  return secret;
}

/** Seals the secrets of endpoints made before they were sealed; run at every start, a no-op after the first. */
export async function sealLegacyEndpointSecrets(db: Database, secrets: Secrets): Promise<void> {
  const rows = await db.select({ id: webhookEndpoints.id, secret: webhookEndpoints.secret }).from(webhookEndpoints).where(like(webhookEndpoints.secret, "whsec\\_%"));
  for (const row of rows) {
    await db
      .update(webhookEndpoints)
      .set({ secret: secrets.seal(row.secret) })
      .where(and(eq(webhookEndpoints.id, row.id), eq(webhookEndpoints.secret, row.secret)));
  }
}

/**
 * Registers an endpoint whose URL the caller checked (checkEndpointUrl); the secret is
 * returned here only (the owner keeps it to verify signatures) and stored sealed.
 */
export async function createEndpoint(
  tx: Tx,
  secrets: Secrets,
  accountId: string,
  url: string,
  events: NotificationType[] | null,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  await tx.execute(sql`select 1 from accounts where id = ${accountId} for update`); // counts and inserts one at a time
  const [live] = await tx.select({ n: count() }).from(webhookEndpoints).where(liveEndpoints(accountId));
  if ((live?.n ?? 0) >= MAX_ENDPOINTS) throw invalid(`at most ${MAX_ENDPOINTS} webhook endpoints per account; delete one first`);
  const secret = `whsec_${randomBase62(32)}`;
  const [row] = await tx
    .insert(webhookEndpoints)
    .values({ id: newId("whe"), accountId, url, secret: secrets.seal(secret), events })
    .returning(ENDPOINT);
  return { endpoint: endpointFromRow(row!), secret };
}

/** Refuses (400) a URL of the wrong form or one whose host resolves to an address we never reach. */
export async function checkEndpointUrl(url: string, options: { allowPrivate: boolean; resolve: HostResolver }): Promise<void> {
  const problem = endpointUrlProblem(url, options.allowPrivate);
  if (problem) throw invalidField("url", `${problem}`);
  const checked = await checkOutbound(new URL(url), options);
  if (!checked.ok) throw invalidField("url", `refused, ${checked.reason}`);
}

export async function listEndpoints(db: Database | Tx, accountId: string): Promise<WebhookEndpoint[]> {
  const rows = await db.select(ENDPOINT).from(webhookEndpoints).where(liveEndpoints(accountId)).orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
  return rows.map(endpointFromRow);
}

/** Stops new deliveries to it; those already queued are still tried (they were due when written). */
export async function deleteEndpoint(tx: Tx, accountId: string, endpointId: string): Promise<WebhookEndpoint> {
  const [row] = await tx
    .update(webhookEndpoints)
    .set({ deletedAt: sql`now()` })
    .where(liveEndpoints(accountId, eq(webhookEndpoints.id, endpointId)))
    .returning(ENDPOINT);
  if (!row) throw notFound("webhook endpoint");
  return endpointFromRow(row);
}

export interface Delivery {
  id: string;
  notificationId: string;
  type: NotificationType;
  channel: "webhook" | "email";
  target: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

interface DeliveryRow {
  id: string;
  notification_id: string;
  type: NotificationType;
  channel: "webhook" | "email";
  target: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: unknown;
  delivered_at: unknown;
  created_at: unknown;
  created_micros: bigint;
}

/** An account's deliveries with their event's type, filtered and ordered by `rest`. */
const deliveryRows = (db: Database | Tx, accountId: string, rest: SQL) =>
  queryRows<DeliveryRow>(
    db,
    sql`select ${microsOf(sql`d.created_at`)} as created_micros, d.id, d.notification_id, n.type, d.channel, d.target, d.status, d.attempts, d.last_status_code, d.last_error,
               d.next_attempt_at, d.delivered_at, d.created_at
        from deliveries d join notifications n on n.id = d.notification_id
        where d.account_id = ${accountId} ${rest}`,
  );

const deliveryFromRow = (r: DeliveryRow): Delivery => ({
  id: r.id,
  notificationId: r.notification_id,
  type: r.type,
  channel: r.channel,
  target: r.target,
  status: r.status,
  attempts: Number(r.attempts),
  lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
  lastError: r.last_error,
  nextAttemptAt: r.status === "pending" ? toIso(r.next_attempt_at) : null,
  deliveredAt: r.delivered_at === null ? null : toIso(r.delivered_at),
  createdAt: toIso(r.created_at),
});

/** The delivery log, newest first, keyset-paged on (created_at, id). */
export async function listDeliveries(
  db: Database | Tx,
  accountId: string,
  limit: number,
  before: CreatedKey | undefined,
): Promise<{ deliveries: Delivery[]; next: CreatedKey | undefined }> {
  const rows = await deliveryRows(db, accountId, byCreated(sql`d.created_at`, sql`d.id`, before, limit));
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: BigInt(last.created_micros), id: last.id }));
  return { deliveries: page.map(deliveryFromRow), next };
}

/**
 * Sends a delivery once more, now. A failed one goes back to pending with its attempts used
 * up, so the worker tries it once and, failing again, records it failed again (a resend is one
 * try, not a new retry schedule); a pending one waiting for its next try is tried now instead
 * of at its backoff. Not one whose try is in flight (that would send it twice at once), not a
 * delivered one, and never to an endpoint since removed: the account stopped it.
 */
export async function resendDelivery(tx: Tx, accountId: string, deliveryId: string): Promise<Delivery> {
  const [found] = await queryRows<{ status: string; endpoint_removed: boolean; in_flight: boolean }>(
    tx,
    sql`select d.status, coalesce(e.deleted_at is not null, false) as endpoint_removed, coalesce(d.lease_expires_at > now(), false) as in_flight
        from deliveries d left join webhook_endpoints e on e.id = d.endpoint_id
        where d.id = ${deliveryId} and d.account_id = ${accountId} for update of d`,
  );
  if (!found) throw notFound("delivery");
  if (found.status === "delivered") throw invalid("this delivery was delivered already");
  // A try in flight ends by its timeout and is recorded; sending it again meanwhile would send it twice at once.
  if (found.in_flight) throw invalid("a try of this delivery is in flight now; resend it once that try is recorded");
  if (found.endpoint_removed) throw invalid("its webhook endpoint was removed; add it again to receive new events");
  await tx.execute(sql`update deliveries set status = 'pending', next_attempt_at = now() where id = ${deliveryId}`);
  const [row] = await deliveryRows(tx, accountId, sql`and d.id = ${deliveryId}`);
  return deliveryFromRow(row!);
}
