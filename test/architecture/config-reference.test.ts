import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { CONFIG_REFERENCE_PATH, ERROR_REFERENCE_PATH, renderConfigReference, renderErrorReference } from "../../scripts/config-reference.js";
import { SETTING_GROUPS } from "../../src/config/settings.js";

// Issue 29, item 1: the configuration reference cannot drift from the code. The service reads
// variables only by names on settings.ts's list (another name does not compile); the page is
// generated from that list; and every name on it is read somewhere.
it("docs/configuration.md and docs/errors.md are what the code generates (npm run docs:config)", () => {
  expect(readFileSync(CONFIG_REFERENCE_PATH, "utf8")).toBe(renderConfigReference());
  expect(readFileSync(ERROR_REFERENCE_PATH, "utf8")).toBe(renderErrorReference());
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

it("every variable on the list is read by the service, and nothing reads process.env around it", () => {
  const code = sources("src").filter((p) => !p.endsWith("config/settings.ts")).map((p) => [p, readFileSync(p, "utf8")] as const);
  for (const group of SETTING_GROUPS) {
    for (const { name } of group.settings) {
      expect(code.some(([, text]) => text.includes(`"${name}"`)), name).toBe(true);
    }
  }
  const around = code.filter(([, text]) => /process\.env\.[A-Z]|env\.[A-Z][A-Z_]+\b/.test(text)).map(([p]) => p);
  expect(around).toEqual([]);
});
