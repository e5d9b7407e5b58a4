import type { CursorPages } from "../api/paging.js";

/** Newer / Older buttons under a cursor-paged list; `next` is the API's next_cursor for the page shown. */
export function Pager({ pages, next }: { pages: CursorPages; next: string | null | undefined }) {
  // One page and nowhere to go: no pager at all, rather than two disabled buttons.
  if (pages.atNewest && !next) return null;
  return (
    <div className="pager">
      <button type="button" disabled={pages.atNewest} onClick={pages.newer}>
        Newer
      </button>
      <button type="button" disabled={!next} onClick={() => next && pages.older(next)}>
        Older
      </button>
    </div>
  );
}
