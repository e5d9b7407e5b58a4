/** Every date and time the dashboard shows, in one format: "Dec 2, 2026, 5:29 PM" (the reader's locale and zone). */
export function dateTimeText(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
