/** One page of a list as the API answers it: newest first, `next_cursor` null on the last page. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** 1,000 pages of 100 is 100,000 rows: past that a caller wants an export, not a loop. */
export const DEFAULT_MAX_PAGES = 1_000;

/**
 * Every item of a cursor-paged list, page after page, without the caller threading cursors:
 *
 *   for await (const entry of paginate((cursor) => client.GET("/v1/accounts/{account_id}/ledger",
 *     { params: { path: { account_id }, query: { limit: 100, cursor } } }).then(unwrap))) { … }
 *
 * Stops at the last page, or throws after `maxPages` (a loop over a list that keeps growing at
 * its old end does not run forever).
 */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, maxPages = DEFAULT_MAX_PAGES): AsyncGenerator<T> {
  let cursor: string | undefined;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await fetchPage(cursor);
    yield* page.data;
    if (page.next_cursor === null) return;
    cursor = page.next_cursor;
  }
  throw new Error(`paginate: stopped after ${maxPages} pages (raise maxPages to read further)`);
}

/** All items of a list in an array (same bounds as `paginate`). */
export async function listAll<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, maxPages = DEFAULT_MAX_PAGES): Promise<T[]> {
  const items: T[] = [];
  for await (const item of paginate(fetchPage, maxPages)) items.push(item);
  return items;
}
