import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, it } from "vitest";

// Issue 29, item 1: the repository explains itself. Nothing in it may point outside it: a clone
// has no ../shared and no "DESIGN §" to open. And every relative link in its Markdown resolves
// to a file of the repository.
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => f !== "" && existsSync(f) && /\.(ts|tsx|js|cjs|mjs|md|sql|json|html|css|sh|yml|yaml)$|^\.ci\//.test(f) && !f.startsWith("node_modules/"));
const root = process.cwd();

it("no file cites a document outside the repository (../shared, DESIGN §, DESIGN.md)", () => {
  const outside = files.filter((f) => f !== "test/architecture/links.test.ts" && /\.\.\/shared|DESIGN(\.md)? ?§|DESIGN\.md/.test(readFileSync(f, "utf8")));
  expect(outside).toEqual([]);
});

it("every relative link in the Markdown resolves to a file inside the repository", () => {
  const broken: string[] = [];
  for (const file of files.filter((f) => f.endsWith(".md"))) {
    const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target!)) continue;
      const path = resolve(dirname(file), target!.split("#")[0]!);
      if (relative(root, path).startsWith("..") || !existsSync(path)) broken.push(`${file} → ${target}`);
    }
  }
  expect(broken).toEqual([]);
});

it("the contract's pages are in the repository", () => {
  for (const page of ["docs/concepts.md", "docs/errors.md", "docs/configuration.md", "docs/architecture.md", "docs/decisions.md"]) expect(existsSync(join(root, page)), page).toBe(true);
});
