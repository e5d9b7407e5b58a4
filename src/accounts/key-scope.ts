export type KeyScope = "full" | "read" | "usage";


/** POSTs that write nothing (a campaign pre-flight): reads, for every scope and viewer sessions. */
const READ_POSTS = [/^\/v1\/accounts\/[^/]+\/preflight$/];

/** What call infrastructure needs (docs/concepts.md): start calls and report their usage. */
const USAGE_WRITES = [/^\/v1\/calls$/, /^\/v1\/calls\/[^/]+\/(usage|end)$/, /^\/v1\/usage$/];

/**
 * Whether a key of `scope` may make this request at all (the access rules then decide whose
 * data it reaches): `read` = GETs (and POSTs that write nothing); `usage` = those and the call
 * and usage routes; `full` = everything. Pure, and checked at the edge before any handler runs.
 */
export function scopeAllows(scope: KeyScope, method: string, path: string): boolean {
  if (scope === "full" || method === "GET" || method === "HEAD") return true;
  if (method === "POST" && READ_POSTS.some((pattern) => pattern.test(path))) return true;
  if (scope === "read") return false;
  return method === "POST" && USAGE_WRITES.some((pattern) => pattern.test(path));
}
