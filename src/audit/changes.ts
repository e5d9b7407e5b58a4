/** `{field: [before, after]}`: what an audit row says changed. Values are JSON: amounts stay decimal strings. */
export type Changes = Record<string, [unknown, unknown]>;

type Json = string | boolean | null | readonly Json[] | { readonly [k: string]: Json };

/**
 * The fields whose value differs between `before` and `after` (a field absent on one side
 * counts as null there), in the order of `after`'s keys then `before`'s. Pure; compared as
 * JSON, so two equal lists or objects are not a change.
 */
export function diffChanges(before: Record<string, Json | undefined> | null, after: Record<string, Json | undefined> | null): Changes {
  const changes: Changes = {};
  const keys = new Set([...Object.keys(after ?? {}), ...Object.keys(before ?? {})]);
  for (const key of keys) {
    const was = before?.[key] ?? null;
    const is = after?.[key] ?? null;
    if (JSON.stringify(was) !== JSON.stringify(is)) changes[key] = [was, is];
  }
  return changes;
}
