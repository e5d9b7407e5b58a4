import { sql, type SQL, type SQLWrapper } from "drizzle-orm";

/*
 * Newest-first keyset paging, the one way lists page. A list is ordered by a key that only
 * grows — a sequence, or (created_at, id) — and reads `limit + 1` rows: the extra one says
 * whether a next page exists, and the next page starts strictly below the last row's key.
 * created_at is keyed in whole microseconds, what PostgreSQL stores: a cursor holding the
 * millisecond ISO time skipped every row created later within the same millisecond as a
 * page's last row.
 */

/** A page's position in a list ordered by (created_at, id). */
export interface CreatedKey {
  createdMicros: bigint;
  id: string;
}

/** `created_at` as whole microseconds since the epoch (exact: extract gives a numeric). */
export const microsOf = (createdAt: SQL | SQLWrapper) => sql`(extract(epoch from ${createdAt}) * 1000000)::bigint`;

/** The rows after a page that ended at `before`, by (created_at, id), newest first (a `where` condition). */
export function createdBefore(createdAt: SQL | SQLWrapper, id: SQL | SQLWrapper, before: CreatedKey | undefined): SQL | undefined {
  // The instant is rebuilt from its microseconds by integer arithmetic, so the comparison is on
  // the columns themselves and the (…, created_at desc) indexes serve it.
  return before
    ? sql`(${createdAt}, ${id}) < ('epoch'::timestamptz + ${before.createdMicros}::bigint * interval '1 microsecond', ${before.id})`
    : undefined;
}

/** The filter and order of a page by sequence: `and seq < before order by seq desc limit n + 1`. */
export function bySeq(seq: SQL, before: bigint | undefined, limit: number): SQL {
  return sql`${before === undefined ? sql`` : sql`and ${seq} < ${before}`} order by ${seq} desc limit ${limit + 1}`;
}

/** The filter and order of a page by (created_at, id), newest first. */
export function byCreated(createdAt: SQL, id: SQL, before: CreatedKey | undefined, limit: number): SQL {
  const after = createdBefore(createdAt, id, before);
  return sql`${after ? sql`and ${after}` : sql``} order by ${createdAt} desc, ${id} desc limit ${limit + 1}`;
}

/** The page and the next page's key from the `limit + 1` rows read. */
export function pageOf<R, K>(rows: readonly R[], limit: number, keyOf: (last: R) => K): { page: R[]; next: K | undefined } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, next: rows.length > limit && last !== undefined ? keyOf(last) : undefined };
}
