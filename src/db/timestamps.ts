/** Raw SQL rows carry timestamps as Date (PGlite) or text (pg through Drizzle); the API speaks ISO 8601. */
export function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") {
    // "2026-11-24 15:18:09.776+00" → a form Date parses everywhere.
    const normalised = value.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
    const date = new Date(normalised);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  throw new Error(`assertion: not a timestamp: ${String(value)}`);
}
