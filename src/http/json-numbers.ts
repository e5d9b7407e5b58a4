/**
 * JSON.parse turns `1e3` into 1000 and a 30-digit number into 1e+30, losing the text the
 * client typed. Money must keep that text (docs/concepts.md: a JSON number is an amount only when
 * it is a plain decimal), so before parsing we refuse any number token with an exponent or
 * more than 15 significant digits, the most a double holds exactly.
 * Returns the offending token, or undefined when every number is safe.
 */
export function findUnsafeNumber(jsonText: string): string | undefined {
  let i = 0;
  while (i < jsonText.length) {
    const ch = jsonText[i]!;
    if (ch === '"') {
      i++;
      while (i < jsonText.length && jsonText[i] !== '"') i += jsonText[i] === "\\" ? 2 : 1;
      i++;
      continue;
    }
    if (ch === "-" || (ch >= "0" && ch <= "9")) {
      const token = /^-?\d*(?:\.\d*)?(?:[eE][+-]?\d*)?/.exec(jsonText.slice(i))![0] || ch;
      const digits = token.replace(/[-.]/g, "").replace(/[eE].*$/, "").replace(/^0+/, "");
      if (/[eE]/.test(token) || digits.length > 15) return token;
      i += token.length;
      continue;
    }
    i++;
  }
  return undefined;
}
