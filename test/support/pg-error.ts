/** Drizzle wraps driver errors ("Failed query: …"); the PostgreSQL error is its cause. */
export function pgError(error: unknown): { code?: string; message: string; constraint?: string } | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
      return { code, message: e.message, constraint: (e as { constraint?: string }).constraint };
    }
  }
  return undefined;
}
