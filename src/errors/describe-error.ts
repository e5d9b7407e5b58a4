/**
 * An error as a log line may show it: the kind and the message, never the values that rode
 * along. Drizzle's query errors carry the statement's parameters (callers' key prefixes,
 * emails, stored answers) in their message; database errors quote the offending value
 * (`invalid input syntax for type bigint: "…"`). So a database error is logged by its SQLSTATE,
 * constraint and message with every quoted value replaced, and the parameters never.
 */
export function describeError(error: unknown): string {
  const database = databaseFields(error) ?? databaseFields((error as { cause?: unknown } | undefined)?.cause);
  if (database) {
    const where = database.constraint ? ` (${database.constraint})` : "";
    return `database error ${database.code}${where}: ${withoutQuotedValues(database.message)}`;
  }
  if (error instanceof Error) {
    // A query error whose cause is not a database error (a dropped connection): its own
    // message is "Failed query: … params: …", so only the cause speaks.
    if (error.message.startsWith("Failed query")) return `database query failed: ${describeError((error as { cause?: unknown }).cause)}`;
    return `${error.name}: ${withoutQuotedValues(error.message)}`;
  }
  return `thrown ${typeof error}`;
}

function databaseFields(error: unknown): { code: string; message: string; constraint: string | undefined } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  // SQLSTATE: five characters, digits and capitals (node-postgres and PGlite both expose it).
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  return { code, message: error.message, constraint: typeof constraint === "string" ? constraint : undefined };
}

/** `value "abc" is bad` → `value "…" is bad`; the same for single quotes. */
export function withoutQuotedValues(message: string): string {
  return message.replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'").slice(0, 500);
}
