import { parseRate } from "../../../src/money/parse.js";
import { formatMicros } from "../../../src/money/micros.js";

/** A per-minute rate as typed ("0.16", "$0.145"), checked by the server's own rule; the API's text, or why not. */
export function rateText(typed: string, what: string): { ok: true; value: string } | { ok: false; message: string } {
  const parsed = parseRate(typed.trim().replace(/^\$/, ""));
  if (!parsed.ok) return { ok: false, message: `${what} ${parsed.reason}.` };
  return { ok: true, value: formatMicros(parsed.micros) };
}
