import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The project runs on the Node of its own `node` devDependency (24 LTS), not on whatever `node`
// the machine has (Node 20 here, end of life since 2026-04-30): npm puts node_modules/.bin
// first on PATH for its scripts, and bin/prepaid picks the project's binary when run directly.
const pinned = JSON.parse(readFileSync("package.json", "utf8")).devDependencies.node as string;

describe("the runtime", () => {
  it("the tests run on the pinned Node", () => {
    expect(process.versions.node).toBe(pinned);
  });

  it("bin/prepaid runs on the pinned Node even with the machine's node first on PATH", () => {
    const out = execFileSync("bin/prepaid", ["--version"], {
      encoding: "utf8",
      env: { ...process.env, PATH: `/usr/bin:/usr/local/bin:${process.env.PATH}` },
    });
    expect(out.trim()).toContain(`node ${pinned}`);
    // The service's and the SDK's semantic versions (issue 29, item 4; CHANGELOG.md).
    const version = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    expect(out.trim()).toBe(`prepaid ${version("package.json")} (sdk ${version("sdk/package.json")}, node ${pinned})`);
    expect(version("package.json")).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readFileSync("CHANGELOG.md", "utf8")).toContain(`## ${version("package.json")}`);
  });
});

describe("src/boot/module-resolution.ts's premises about drizzle-orm", () => {
  // The hook resolves drizzle-orm's relative imports itself: right only while the package has one
  // package.json (no nested scope could change a file's format) and declares ESM.
  it("drizzle-orm has one package.json, of type module", () => {
    const manifests = execFileSync("find", ["node_modules/drizzle-orm", "-name", "package.json"], { encoding: "utf8" }).trim().split("\n");
    expect(manifests).toEqual(["node_modules/drizzle-orm/package.json"]);
    expect(JSON.parse(readFileSync("node_modules/drizzle-orm/package.json", "utf8")).type).toBe("module");
  });
});
