import { execFileSync } from "node:child_process";
import { afterAll, expect, it } from "vitest";
import { sharedDatabase, startNpm, type NpmStart, type SharedDatabase } from "../support/processes.js";

let shared: SharedDatabase | undefined;
let started: NpmStart | undefined;
afterAll(async () => {
  // A failed run must not leave its server behind: npm was started as a process group's leader.
  started?.killGroup();
  await shared?.cleanup();
});

/** Whether a process with this pid still exists. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// docs/production.md: SIGTERM to the `npm start` process itself (what a supervisor or container runtime
// signals) stops the server. npm hands the signal to its script's shell; dash does not pass it
// on to a child, so the script execs the server: npm's child is the server itself. Before that,
// npm exited and the server kept serving, an orphan. (--ignore-scripts: the dashboard build of
// prestart is not what this is about.)
it("SIGTERM to the npm start process stops the server within 10 s and leaves no orphan", async () => {
  shared = await sharedDatabase();
  started = await startNpm(shared.env);
  const { npm, url, exited } = started;
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  // The server is npm's child (exec), not a grandchild behind a shell.
  const children = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(npm.pid)], { encoding: "utf8" }).trim().split("\n");
  expect(children).toHaveLength(1);
  expect(children[0]).toContain("src/cli.ts serve");
  const serverPid = Number(children[0]!.trim().split(/\s+/)[0]);

  const sentAt = Date.now();
  npm.kill("SIGTERM");
  const code = await exited;
  expect(Date.now() - sentAt).toBeLessThan(10_000);
  expect(code).toBe(0);
  expect(alive(serverPid)).toBe(false);
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
}, 90_000);
