/**
 * Stripe's request encoding: application/x-www-form-urlencoded with brackets for nesting
 * (`metadata[recharge_id]=…`, `payment_method_types[0]=card`). Read back into plain objects;
 * an object whose keys are all indexes becomes an array.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

export function parseForm(text: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const path = rawKey.split(/\[|\]\[|\]/).filter((part, i) => i === 0 || part !== "");
    let node: Record<string, FormValue> = root;
    for (const [i, part] of path.entries()) {
      const key = part === "" ? String(Object.keys(node).length) : part; // `a[]=x` appends
      if (i === path.length - 1) {
        node[key] = value;
      } else {
        const next = node[key];
        node = (typeof next === "object" && next !== null ? next : (node[key] = {})) as Record<string, FormValue>;
      }
    }
  }
  return toArrays(root) as Record<string, FormValue>;
}

function toArrays(value: FormValue): FormValue {
  if (typeof value === "string" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((k) => [k, toArrays(value[k]!)] as const);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return entries.map(([, v]) => v);
  return Object.fromEntries(entries);
}
