import { useState } from "react";

/** `?limit=…&cursor=…` for the API's cursor-paged lists (no cursor: the newest page). */
export function pageQuery(limit: number, cursor: string | null): string {
  return `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
}

export interface CursorPages {
  /** The cursor of the page shown (null: the newest). */
  cursor: string | null;
  /** True on the newest page. */
  atNewest: boolean;
  older(next: string): void;
  newer(): void;
  reset(): void;
}

/** The cursors of the pages seen so far, so "Newer" can go back without the API paging backwards. */
export function useCursorPages(): CursorPages {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    cursor: cursors[cursors.length - 1] ?? null,
    atNewest: cursors.length === 1,
    older: (next) => setCursors([...cursors, next]),
    newer: () => setCursors(cursors.slice(0, -1)),
    reset: () => setCursors([null]),
  };
}
