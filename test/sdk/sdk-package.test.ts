import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

// The SDK as a package: built to JavaScript and declarations (sdk/package.json's build), then
// used by a consumer that only sees the build — type-checked strictly and run against the real
// server. The build goes under node_modules/.cache so the consumer resolves openapi-fetch the
// way an installed package would.
const run = promisify(execFile);
let app: TestApp;
let dir: string;
beforeAll(async () => {
  app = await startTestApp({}, { worker: false });
  mkdirSync("node_modules/.cache/prepaid", { recursive: true });
  dir = mkdtempSync(join(process.cwd(), "node_modules/.cache/prepaid/sdk-"));
});
afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("builds, type-checks in a consumer's strict project, and works from the built JavaScript", async () => {
  const dist = join(dir, "dist");
  await run("node_modules/.bin/tsc", ["-p", "sdk/tsconfig.build.json", "--outDir", dist]);
  copyFileSync("sdk/src/schema.d.ts", join(dist, "schema.d.ts"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "consumer.ts"),
    `import { createPrepaidClient, unwrap, toMicros } from "./dist/index.js";
const [baseUrl, apiKey] = process.argv.slice(2) as [string, string];
const client = createPrepaidClient({ baseUrl, apiKey });
const account = await unwrap(client.POST("/v1/accounts", { body: { name: "From the package", type: "user" } }));
const balance: string = account.balance;
// @ts-expect-error money is a string, never a number
const wrong: number = account.balance;
void wrong;
console.log(JSON.stringify({ id: account.id, micros: String(toMicros(balance)) }));
`,
  );
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, types: ["node"], lib: ["ES2022", "DOM"], skipLibCheck: false },
      files: ["consumer.ts"],
    }),
  );
  const tsc = await run(join(process.cwd(), "node_modules/.bin/tsc"), ["-p", dir]).then(
    () => "",
    (e: { stdout: string }) => e.stdout,
  );
  expect(tsc).toBe("");
  const out = await run(process.execPath, [join(dir, "consumer.js"), app.server.url, app.adminKey]);
  expect(JSON.parse(out.stdout)).toMatchObject({ id: expect.stringMatching(/^acct_/), micros: "0" });
}, 60_000);
