import { invalid } from "../errors/app-error.js";

/** Opaque paging cursors: the last row's sort key, base64url-encoded JSON. */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function decodeCursor<K extends string>(cursor: string | undefined, keys: readonly K[]): Record<K, string> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;
    if (keys.every((k) => typeof value[k] === "string")) return value as Record<K, string>;
  } catch {
    // Fall through to the 400 below.
  }
  throw invalid("cursor: not a cursor this API returned");
}
