/**
 * The PostgreSQL server itself, for what a test run does as its administrator (creating the
 * template and each file's database from it): DATABASE_URL, unless that goes through a pooler
 * (PgBouncer in transaction mode keeps server connections open, and a database being copied
 * must have none), in which case PREPAID_TEST_DIRECT_URL names the server behind it.
 */
export function directDatabaseUrl(): string | undefined {
  return process.env.PREPAID_TEST_DIRECT_URL || process.env.DATABASE_URL || undefined;
}

/** The same server URL with another database name. */
export function databaseUrlWithName(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The same server and database reached over its Unix socket in `socketDir` instead of TCP:
 * `postgres://user@/name?host=/var/run/postgresql`, the form node-postgres and libpq (pgbench)
 * both read.
 */
export function unixSocketUrl(databaseUrl: string, socketDir: string): string {
  const url = new URL(databaseUrl);
  const user = url.username ? `${url.username}${url.password ? `:${url.password}` : ""}@` : "";
  return `postgres://${user}${url.pathname}?host=${encodeURIComponent(socketDir)}`;
}
