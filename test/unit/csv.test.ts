import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toCsv } from "../../web/src/export/csv.js";

/** The one field of a one-column, one-row export (the header line and the final CRLF cut off). */
const one = (value: string | null) => toCsv([{ header: "h", value: (row: { v: string | null }) => row.v }], [{ v: value }]).slice("h\r\n".length, -2);

/** RFC 4180 reading of one field, enough to check what a spreadsheet would get back. */
function readField(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
}

describe("dashboard CSV export", () => {
  it("keeps amounts exactly, quotes separators, and defuses formulas", () => {
    expect(one("-0.717334")).toBe("-0.717334");
    expect(one("12.50")).toBe("12.50");
    expect(one(null)).toBe("");
    expect(one('say "hi", then')).toBe('"say ""hi"", then"');
    expect(one("=HYPERLINK(\"x\")")).toBe('"\'=HYPERLINK(""x"")"');
    expect(one("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(one("-1+2")).toBe("'-1+2");
  });

  it("reads back as the text written, with only a formula's leading quote added", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", ",", '"', "\r", "\n", "=", "+", "-", "@", "1", ".") }), (text) => {
        const back = readField(one(text));
        expect(back === text || back === `'${text}`).toBe(true);
        expect(/^[=+@]/.test(back)).toBe(false);
      }),
    );
  });
});
