import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

// The SDK as a released package (issue 29, item 4): `npm run sdk:pack` builds it and packs the
// tarball npm would publish; a consumer project outside this repository installs that tarball
// (its one dependency, openapi-fetch, from the registry), type-checks a call strictly, and runs
// it against the real server.
const run = promisify(execFile);
let app: TestApp;
let dir: string;
beforeAll(async () => {
  app = await startTestApp({}, { worker: false });
  dir = mkdtempSync(join(tmpdir(), "prepaid-sdk-consumer-"));
});
afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("packs to a versioned tarball that a consumer installs, type-checks strictly and runs against a live server", async () => {
  const version = (JSON.parse(readFileSync("sdk/package.json", "utf8")) as { version: string }).version;
  await run("npm", ["run", "sdk:pack", "--", "--pack-destination", dir], { env: { ...process.env, npm_config_loglevel: "error" } });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  expect(tarball).toBe(`prepaid-sdk-${version}.tgz`);
  const contents = (await run("tar", ["-tzf", join(dir, tarball!)])).stdout.split("\n").filter(Boolean).sort();
  // What is published: the build and its declarations, the README, the manifest; no source, no tests.
  expect(contents).toEqual(expect.arrayContaining(["package/README.md", "package/package.json", "package/dist/index.js", "package/dist/index.d.ts", "package/dist/schema.d.ts"]));
  expect(contents.filter((f) => f.startsWith("package/src/"))).toEqual([]);

  const consumer = join(dir, "consumer");
  await run("mkdir", ["-p", consumer]);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { "@prepaid/sdk": `file:../${tarball}` } }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel", "error"], { cwd: consumer });
  writeFileSync(
    join(consumer, "consumer.ts"),
    `import { createPrepaidClient, unwrap, toMicros } from "@prepaid/sdk";
const [baseUrl, apiKey] = process.argv.slice(2) as [string, string];
const client = createPrepaidClient({ baseUrl, apiKey });
const account = await unwrap(client.POST("/v1/accounts", { body: { name: "From the tarball", type: "user" } }));
const balance: string = account.balance;
// @ts-expect-error money is a string, never a number
const wrong: number = account.balance;
void wrong;
console.log(JSON.stringify({ id: account.id, micros: String(toMicros(balance)) }));
`,
  );
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        types: ["node"],
        typeRoots: [join(process.cwd(), "node_modules/@types")],
        lib: ["ES2022", "DOM"],
        skipLibCheck: false,
      },
      files: ["consumer.ts"],
    }),
  );
  const tsc = await run(join(process.cwd(), "node_modules/.bin/tsc"), ["-p", consumer]).then(
    () => "",
    (e: { stdout: string }) => e.stdout,
  );
  expect(tsc).toBe("");
  const out = await run(process.execPath, [join(consumer, "consumer.js"), app.server.url, app.adminKey]);
  expect(JSON.parse(out.stdout)).toMatchObject({ id: expect.stringMatching(/^acct_/), micros: "0" });
}, 120_000);
