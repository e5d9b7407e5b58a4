import { invalidField } from "../errors/app-error.js";
import type { CreatedKey } from "../db/keyset.js";

/** Opaque paging cursors: the last row's sort key, base64url-encoded JSON. */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/**
 * What each key of a cursor this API returns looks like: a cursor is client input, and one
 * that reaches the database with a number past int8 or a NUL would fail there (a 500)
 * instead of here (a 400).
 */
const KEY_FORMATS: Record<string, (value: string) => boolean> = {
  // ledger and notification seq; created_at in microseconds (recharges, subaccounts, deliveries): int8 text
  seq: (v) => /^\d{1,18}$/.test(v),
  us: (v) => /^\d{1,18}$/.test(v),
  id: (v) => /^[A-Za-z0-9_]{1,100}$/.test(v),
  // A call's id is the caller's own (a carrier's "twilio-CA42f0"): any text the API takes, no control characters.
  // A sorted list's last sort value: a name (any text), a balance or an instant (digits).
  k: (v) => v.length <= 220 && !/[\u0000-\u001f\u007f]/.test(v),
  s: (v) => v === "created" || v === "name" || v === "balance",
  call: (v) => v.length >= 1 && v.length <= 100 && !/[\u0000-\u001f\u007f]/.test(v),
};

/** The cursor of a list ordered by a sequence (ledger entries, notifications): the last row's. */
export function encodeSeqCursor(seq: bigint): string {
  return encodeCursor({ seq: seq.toString() });
}

export function decodeSeqCursor(cursor: string | undefined): bigint | undefined {
  const position = decodeCursor(cursor, ["seq"] as const);
  return position && BigInt(position.seq);
}

/** The cursor of a list ordered by (created_at, id): the last row's microseconds and id. */
export function encodeCreatedCursor(key: CreatedKey): string {
  return encodeCursor({ us: key.createdMicros.toString(), id: key.id });
}

export function decodeCreatedCursor(cursor: string | undefined): CreatedKey | undefined {
  const position = decodeCursor(cursor, ["us", "id"] as const);
  return position && { createdMicros: BigInt(position.us), id: position.id };
}

/** The cursor of the call list, ordered by (started_at, id): call ids are not ours, so they have their own key format. */
export function encodeCallCursor(key: CreatedKey): string {
  return encodeCursor({ us: key.createdMicros.toString(), call: key.id });
}

export function decodeCallCursor(cursor: string | undefined): CreatedKey | undefined {
  const position = decodeCursor(cursor, ["us", "call"] as const);
  return position && { createdMicros: BigInt(position.us), id: position.call };
}

/** The cursor of a list in a chosen sort: the sort it was made for, and the last row's key. */
export function encodeSortCursor(sort: string, key: { value: string; id: string }): string {
  return encodeCursor({ s: sort, k: key.value, id: key.id });
}

/** A cursor made for another sort than the one asked for is refused: its key means something else there. */
export function decodeSortCursor(cursor: string | undefined, sort: string): { value: string; id: string } | undefined {
  const position = decodeCursor(cursor, ["s", "k", "id"] as const);
  if (!position) return undefined;
  if (position.s !== sort) throw invalidField("cursor", `made for sort=${position.s}, not sort=${sort}`);
  if (sort !== "name" && !/^-?\d{1,20}$/.test(position.k)) throw invalidField("cursor", "not a cursor this API returned");
  return { value: position.k, id: position.id };
}

export function decodeCursor<K extends string>(cursor: string | undefined, keys: readonly K[]): Record<K, string> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;
    const valid = (k: K) => typeof value[k] === "string" && (KEY_FORMATS[k]?.(value[k]) ?? false);
    if (keys.every(valid)) return value as Record<K, string>;
  } catch {
    // Fall through to the 400 below.
  }
  throw invalidField("cursor", "not a cursor this API returned");
}
