import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffChanges } from "../../src/audit/changes.js";
import { parseEmbedOrigins, parsePublicUrl } from "../../src/config/embed-origins.js";
import { accentVariables, contrastRatio, MIN_TEXT_CONTRAST, readableOn, textOn } from "../../web/src/branding/contrast.js";

const hexColour = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map((rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("").toUpperCase()}`);

describe("accent contrast (WCAG 2.x)", () => {
  it("knows the reference ratios", () => {
    expect(contrastRatio("#000000", "#FFFFFF")).toBeCloseTo(21, 5);
    expect(contrastRatio("#FFFFFF", "#FFFFFF")).toBeCloseTo(1, 5);
    // #767676 is the lightest grey that passes AA on white.
    expect(contrastRatio("#767676", "#FFFFFF")).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio("#777777", "#FFFFFF")).toBeLessThan(4.5);
  });

  it("any accent: the button text reads on the exact brand fill, and the text colour reads on every page background", () => {
    fc.assert(
      fc.property(hexColour, (accent) => {
        const vars = accentVariables(accent);
        expect(vars["--accent-fill"]).toBe(accent);
        expect(contrastRatio(vars["--accent-fill-text"]!, accent)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
        for (const background of ["#FFFFFF", "#E8EFFF"]) expect(contrastRatio(vars["--accent"]!, background)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves a colour that already reads alone, and darkens one that does not as little as it can", () => {
    expect(readableOn("#1d2433", "#FFFFFF")).toBe("#1D2433");
    const gold = readableOn("#FFD700", "#FFFFFF");
    expect(contrastRatio(gold, "#FFFFFF")).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(gold, "#FFFFFF")).toBeLessThan(5.2);
    expect(textOn("#FFD700")).toBe("#000000");
    expect(textOn("#0B5FFF")).toBe("#FFFFFF");
  });
});

describe("PREPAID_EMBED_ORIGINS and PREPAID_PUBLIC_URL", () => {
  it("takes exact origins and refuses anything that is not one", () => {
    expect(parseEmbedOrigins(undefined)).toEqual([]);
    expect(parseEmbedOrigins(" https://app.example.com , http://127.0.0.1:4000/ ")).toEqual(["https://app.example.com", "http://127.0.0.1:4000"]);
    // Issue 27, item 10: the list reaches a CSP header; a `;` would start a directive of its own.
    for (const bad of ["*", "https://*.example.com", "https://app.example.com/billing", "javascript:alert(1)", "app.example.com", "ftp://x.example",
      "https://app.example.com;script-src", "https://app.example.com script-src *", "https://app.example.com?x=1", "https://user@app.example.com", "https://app.example.com#x"]) {
      expect(() => parseEmbedOrigins(bad), bad).toThrow(/PREPAID_EMBED_ORIGINS/);
    }
    expect(() => parseEmbedOrigins("https://app.example.com,https://app.example.com;script-src 'unsafe-inline'")).toThrow(/"https:\/\/app\.example\.com;script-src 'unsafe-inline'"/);
    expect(parseEmbedOrigins("http://[::1]:4000")).toEqual(["http://[::1]:4000"]);
    expect(parsePublicUrl("https://billing.example.com")?.origin).toBe("https://billing.example.com");
    expect(() => parsePublicUrl("file:///etc")).toThrow(/PREPAID_PUBLIC_URL/);
  });
});

describe("audit changes", () => {
  it("lists only the fields that differ, missing ones as null", () => {
    expect(diffChanges({ a: "1.00", b: true, c: null }, { a: "2.00", b: true, d: "x" })).toEqual({ a: ["1.00", "2.00"], d: [null, "x"] });
    expect(diffChanges(null, { id: "pm_1" })).toEqual({ id: [null, "pm_1"] });
    expect(diffChanges({ events: ["a", "b"] }, { events: ["a", "b"] })).toEqual({});
  });
});
