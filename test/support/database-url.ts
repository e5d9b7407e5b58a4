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
