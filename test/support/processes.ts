import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { inject } from "vitest";
import { connect } from "../../src/db/connect.js";
import type { DatabaseHandle } from "../../src/db/database.js";
import { onPostgres, testDatabase } from "./test-database.js";

const CLI = join(process.cwd(), "bin/prepaid");

/**
 * A database other processes can open too: this test's PostgreSQL database, or a PGlite
 * directory (one process at a time: close every handle before a child opens it).
 */
export interface SharedDatabase {
  env: Record<string, string>;
  open(): Promise<DatabaseHandle>;
  cleanup(): Promise<void>;
}

export async function sharedDatabase(): Promise<SharedDatabase> {
  if (onPostgres) {
    const db = await testDatabase();
    const url = db.url!;
    await db.close();
    return { env: { DATABASE_URL: url }, open: () => connect({ databaseUrl: url }), cleanup: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "prepaid-shared-"));
  const dump = new Blob([readFileSync(inject("pgliteDumpPath")!)]);
  const seeded = await PGlite.create({ dataDir: dir, loadDataDir: dump });
  await seeded.close();
  return {
    env: { PREPAID_DATA_DIR: dir, DATABASE_URL: "" },
    open: () => connect({ dataDir: dir }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs `prepaid <args>` to completion (bounded by `timeoutMs`, then killed). */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(CLI, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server printed so far, stdout and stderr interleaved. */
  output(): string;
  /** SIGTERM, then its exit. */
  stop(): Promise<Exit>;
  /** SIGKILL, then its exit; also when it had already exited by itself. */
  kill(): Promise<Exit>;
}

/** Starts `prepaid serve` on a free port and waits until it says where it listens. */
export function spawnServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, ["serve"], { env: { ...process.env, PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    // Held from the start: a child that exits before anyone waits is still seen to have exited.
    const exited = new Promise<Exit>((done) => child.on("exit", (code, signal) => done({ code, signal, output })));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          child,
          output: () => output,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
          kill: () => {
            child.kill("SIGKILL");
            return exited;
          },
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => (output += d));
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${e.code ?? e.signal}):\n${e.output}`));
    });
  });
}

export interface NpmStart {
  /** The npm process: the leader of its own process group (kill -group ends everything it started). */
  npm: ChildProcess;
  url: string;
  /** npm's exit code, once it exits. */
  exited: Promise<number | null>;
  output(): string;
  /** SIGKILL to the whole group, for a test's cleanup; nothing when it is already gone. */
  killGroup(): void;
}

/**
 * `npm start --ignore-scripts` (the dashboard build of prestart is not what these tests are
 * about) as a supervisor runs it, in a process group of its own, waiting until it says where
 * it listens.
 */
export async function startNpm(env: Record<string, string>, timeoutMs = 60_000): Promise<NpmStart> {
  const npm = spawn("npm", ["start", "--ignore-scripts"], { env: { ...process.env, PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  npm.stdout!.on("data", (d) => (output += d));
  npm.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => npm.on("exit", (code) => resolve(code)));
  const killGroup = () => {
    try {
      process.kill(-npm.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`no "listening on" within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    npm.stdout!.on("data", () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return { npm, url, exited, output: () => output, killGroup };
}

export interface JsonAnswer {
  status: number;
  requestId: string;
  headers: Headers;
  body: any;
}

/**
 * A small JSON client for a server these helpers started: `call(method, path, key?, body?)`.
 * `base` may be a function, for a test that restarts its server on another port.
 */
export function jsonClient(base: string | (() => string)) {
  return async (method: string, path: string, key?: string, body?: unknown): Promise<JsonAnswer> => {
    const res = await fetch(`${typeof base === "string" ? base : base()}${path}`, {
      method,
      headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, requestId: res.headers.get("X-Request-Id")!, headers: res.headers, body: await res.json() };
  };
}

/** A TCP port free on loopback right now (the OS picks it; closed again before it is returned). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
