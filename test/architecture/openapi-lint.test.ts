import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

// The live /openapi.json against Redocly CLI's recommended rules: zero errors, zero warnings.
// A route added without an operationId, a credential statement or a 4xx answer fails here.
let app: TestApp;
const dir = mkdtempSync(join(tmpdir(), "prepaid-openapi-"));
beforeAll(async () => {
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox" }, { worker: false });
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Problem {
  ruleId: string;
  severity: string;
  message: string;
  location: { pointer: string }[];
}

describe("the OpenAPI document", () => {
  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const document = await app.request("GET", "/openapi.json");
    expect(document.status).toBe(200);
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(document.body));
    const run = await promisify(execFile)(join(process.cwd(), "node_modules/.bin/redocly"), ["lint", file, "--format=json"], {
      // No telemetry or update check: the machines reach only the npm registry.
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      maxBuffer: 10_000_000,
    }).catch((failed: { stdout?: string }) => ({ stdout: failed.stdout ?? "" }));
    const report = JSON.parse(run.stdout) as { totals: { errors: number; warnings: number }; problems: Problem[] };
    const problems = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    // Every operation is named for generated clients.
    const operations = Object.values(document.body.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((ops) => Object.values(ops));
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.filter((op) => !op.operationId)).toEqual([]);
  }, 60_000);
});
