import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

// The import rules of .dependency-cruiser.cjs (docs/architecture.md), run by dependency-cruiser
// itself over the service and the dashboard: no cycle between src/ folders or modules, the
// lower layers import nothing above them, the dashboard only the server's shared pure modules.
it("keeps the import rules of .dependency-cruiser.cjs", async () => {
  const run = await promisify(execFile)("node_modules/.bin/depcruise", ["src", "web/src", "sdk/src", "--config", ".dependency-cruiser.cjs", "--output-type", "err"]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  expect(run.stdout).toContain("no dependency violations found");
  expect(run.code).toBe(0);
}, 60_000);
