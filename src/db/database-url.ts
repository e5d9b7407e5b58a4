/**
 * What a DATABASE_URL names, for messages: `postgres://user@host:port/db` (TCP) or
 * `postgres://user@/db?host=/var/run/postgresql` (the Unix socket in that directory, the form
 * node-postgres and libpq read). The WHATWG URL parser refuses the second (a user without a
 * host), so an empty host is given a placeholder before parsing.
 */
export function describeDatabaseUrl(text: string): string {
  const url = new URL(text.replace(/^(postgres(?:ql)?:\/\/[^/@]*@)\//, "$1unix-socket/"));
  const socketDir = url.searchParams.get("host");
  if (socketDir?.startsWith("/")) return `PostgreSQL at ${url.pathname.slice(1)} on the Unix socket in ${socketDir}`;
  return `PostgreSQL at ${url.host}${url.pathname}`;
}
