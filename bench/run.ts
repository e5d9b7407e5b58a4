/**
 * npm run bench: every figure beside a baseline measured in the same run, on this machine.
 *
 * PostgreSQL (DATABASE_URL, default the local server) and PGlite are each measured through the
 * real server (`prepaid serve` as a child process) over HTTP, with a keep-alive client in this
 * process. Baselines: pgbench on the same server, and our own writer with batching off (one
 * transaction per debit). BENCH_SECONDS sets each measurement's length (default 5).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import pg from "pg";
import { generateKey } from "../src/accounts/api-keys.js";
import { connect, migrate } from "../src/db/connect.js";
import { queryRows, type DatabaseHandle } from "../src/db/database.js";
import { verifyLedger } from "../src/ledger/verify.js";
import { closedLoop, LoadClient, percentile } from "./http-load.js";
import { pgbenchBaselines, type PgbenchBaselines } from "./pgbench.js";
import { enableAutoRecharge, seedGrants, seedRebilled, seedWallets } from "./seed.js";
import { unixSocketUrl } from "../test/support/database-url.js";
import twilio from "twilio";
import { loadConfig } from "../src/config/config.js";
import { UsageWriter } from "../src/billing/usage/usage-writer.js";
import { ConnectorTicker } from "../src/billing/connector-calls/connector-ticker.js";

// Where Debian's PostgreSQL puts its socket.
const SOCKET_DIR = "/var/run/postgresql";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "5");
const MS = SECONDS * 1000;
const ADMIN = generateKey();
const CLIENTS = 4;
const BATCH = 1000;

interface Row {
  figure: string;
  ours: string;
  baseline: string;
  target: string;
  met: string;
}
const rows: Row[] = [];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const record = (figure: string, ours: string, baseline: string, target: string, met: boolean | undefined) => {
  rows.push({ figure, ours, baseline, target, met: met === undefined ? "—" : met ? "yes" : "NO" });
  console.log(`  ${figure}: ${ours}   [baseline: ${baseline}]   target ${target}: ${met === undefined ? "—" : met ? "met" : "NOT met"}`);
};

interface Server {
  url: string;
  child: ChildProcess;
  peakRssBytes(): number;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(join(process.cwd(), "bin/prepaid"), ["serve"], {
    env: { ...process.env, PORT: "0", PREPAID_ADMIN_KEY: ADMIN, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The last 64 chunks only, kept without copying: the server logs a line per request, and a
  // bench sends millions (re-slicing one string per chunk cost the bench process a core).
  const tail: string[] = [];
  const keep = (d: Buffer) => {
    tail.push(d.toString());
    if (tail.length > 64) tail.shift();
  };
  child.stderr!.on("data", keep);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      keep(d);
      const m = /listening on (http:\/\/\S+)/.exec(tail.join(""));
      if (m) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`server exited (${code}):\n${tail.join("")}`)));
  });
  return {
    url,
    child,
    peakRssBytes: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? "0") * 1024;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Each loop's calls' cumulative seconds so far, by prefix and loop: a later measurement of the
 * same calls (after a warm-up, or the other half of an A/B) goes on from there. Starting again
 * at 1 s would re-report seconds already billed, which debit nothing and cost far less, and
 * count them as debits.
 */
const reportedSeconds = new Map<string, number>();

/** Debits per second through POST /v1/usage: CLIENTS loops, each over its own 1000 calls, each report one more second of every call. */
async function batchDebitsPerSecond(client: LoadClient, prefix: string, durationMs = MS): Promise<number> {
  const { units, seconds } = await closedLoop(CLIENTS, durationMs, async (w) => {
    const elapsed = (reportedSeconds.get(`${prefix}:${w}`) ?? 0) + 1;
    reportedSeconds.set(`${prefix}:${w}`, elapsed);
    const events = Array.from({ length: BATCH }, (_, k) => ({ call_id: `call_${prefix}${w * BATCH + k + 1}`, elapsed_seconds: elapsed }));
    const res = await client.post("/v1/usage", ADMIN, { events });
    if (res.status !== 200) throw new Error(`usage batch: ${res.status} ${res.text.slice(0, 200)}`);
    return BATCH;
  });
  return units / seconds;
}

/** Single reports per second: 64 clients, each reporting its own call on one hot wallet. */
async function singleReportsPerSecond(client: LoadClient, prefix: string): Promise<number> {
  const { units, seconds } = await closedLoop(64, MS, async (w, i) => {
    const res = await client.post(`/v1/calls/call_${prefix}${w + 1}/usage`, ADMIN, { elapsed_seconds: i + 1 });
    if (res.status !== 200) throw new Error(`usage: ${res.status} ${res.text.slice(0, 200)}`);
    return 1;
  });
  return units / seconds;
}

/** Call authorisation latency at a fixed request rate (open loop: requests do not wait for answers). */
async function authorisationLatency(
  client: LoadClient,
  prefix: string,
  accounts: number,
  ratePerSecond: number,
  seconds = SECONDS,
): Promise<{ p50: number; p90: number; p99: number; sent: number; failed: number }> {
  const total = Math.floor(ratePerSecond * seconds);
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sentAt = performance.now();
    inFlight.push(
      client.post("/v1/calls", ADMIN, { account_id: `acct_${prefix}${(i % accounts) + 1}` }).then((res) => {
        if (res.status === 201) latencies.push(performance.now() - sentAt);
        else failed++;
      }),
    );
  }
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), sent: total, failed };
}

/**
 * The same request one at a time, on an otherwise idle server: the floor under the figure
 * above (HTTP on loopback, one statement, one commit), measured in the same run.
 */
async function sequentialAuthorisation(client: LoadClient, prefix: string, accounts: number, count: number): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = performance.now();
    const res = await client.post("/v1/calls", ADMIN, { account_id: `acct_${prefix}${(i % accounts) + 1}` });
    if (res.status !== 201) throw new Error(`call start: ${res.status} ${res.text.slice(0, 200)}`);
    latencies.push(performance.now() - sentAt);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Threshold crossing → charge started: 100 crossings a second, each by one usage report. */
async function thresholdToCharge(client: LoadClient, db: DatabaseHandle, prefix: string, accounts: number): Promise<{ p50: number; p99: number; n: number }> {
  const started = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < accounts; i++) {
    const wait = started + i * 10 - performance.now();
    if (wait > 1) await sleep(wait);
    // $10.05 less a minute at $0.18 is $9.87: below the $10 threshold.
    inFlight.push(client.post(`/v1/calls/call_${prefix}${i + 1}/usage`, ADMIN, { elapsed_seconds: 60 }));
  }
  await Promise.all(inFlight);
  for (let tries = 0; tries < 200; tries++) {
    const [row] = await queryRows<{ waiting: bigint }>(
      db.db,
      sql`select count(*) filter (where started_at is null) as waiting from recharges where account_id like ${`acct_${prefix}%`}`,
    );
    if (row?.waiting === 0n) break;
    await sleep(50);
  }
  const timings = await queryRows<{ ms: number }>(
    db.db,
    sql`select extract(epoch from (started_at - created_at)) * 1000 as ms from recharges
        where account_id like ${`acct_${prefix}%`} and started_at is not null order by 1`,
  );
  const ms = timings.map((t) => Number(t.ms));
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), n: ms.length };
}

/** A fresh, migrated database on the PostgreSQL server for one part of the run, dropped after it. */
async function withBenchDatabase(baseUrl: string, title: string, work: (dbUrl: string, db: DatabaseHandle) => Promise<void>): Promise<void> {
  const name = `prepaid_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  console.log(`\n${title} (${url.host}${url.pathname})`);
  try {
    const db = await connect({ databaseUrl: url.toString(), poolSize: 2 });
    await migrate(db);
    try {
      await work(url.toString(), db);
    } finally {
      await db.close();
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function benchPostgres(baseUrl: string): Promise<void> {
  await withBenchDatabase(baseUrl, "PostgreSQL", async (dbUrl, db) => {
    await seedWallets(db.db, "m", CLIENTS * BATCH, CLIENTS * BATCH); // many wallets: one call each
    await seedWallets(db.db, "h", 1, CLIENTS * BATCH); // one hot wallet
    await seedWallets(db.db, "n", CLIENTS * BATCH, CLIENTS * BATCH); // the naive writer's wallets
    await seedWallets(db.db, "s", 1, 64); // single reports, one hot wallet
    await seedWallets(db.db, "a", 100, 0); // call authorisation
    await seedWallets(db.db, "t", 200, 200, 10_050_000n); // threshold crossings at $10.05
    await enableAutoRecharge(db.db, "t", 200);

    console.log("  pgbench baselines …");
    const base: PgbenchBaselines = await pgbenchBaselines(dbUrl, SECONDS);

    let peakRss = 0;
    const naive = await startServer({ DATABASE_URL: dbUrl, PREPAID_USAGE_BATCH_MAX: "1", PREPAID_USAGE_WRITERS: "8" });
    const naiveClient = new LoadClient(naive.url, 64);
    const naiveDebits = await batchDebitsPerSecond(naiveClient, "n");
    naiveClient.close();
    await naive.stop();

    const server = await startServer({ DATABASE_URL: dbUrl, PREPAID_USAGE_WRITERS: "2", PREPAID_WORKER_POLL_MS: "50" });
    const client = new LoadClient(server.url, 64);
    await batchDebitsPerSecond(client, "m", 1000); // warm-up
    const many = await batchDebitsPerSecond(client, "m");
    const hot = await batchDebitsPerSecond(client, "h");
    const singles = await singleReportsPerSecond(client, "s");
    await authorisationLatency(client, "a", 100, 2000, 1); // warm-up, as for the batch path
    const auth = await authorisationLatency(client, "a", 100, 2000);
    const authAlone = await sequentialAuthorisation(client, "a", 100, 2000);
    const threshold = await thresholdToCharge(client, db, "t", 200);
    peakRss = server.peakRssBytes();
    client.close();
    await server.stop();

    const naiveLabel = `naive writer (1 tx/debit, 8 at once) ${fmt(naiveDebits)}/s`;
    record("PG batch debits/s, 4000 wallets", `${fmt(many)}/s (${(many / naiveDebits).toFixed(1)}× naive)`, naiveLabel, "≥ 40,000/s", many >= 40_000);
    record(
      "PG batch debits/s, one hot wallet",
      `${fmt(hot)}/s (${((hot / base.insert100RowsPerSecond) * 100).toFixed(0)}% of pgbench insert rows/s)`,
      `pgbench 100-row insert ×8: ${fmt(base.insert100RowsPerSecond)} rows/s; hot-row update ×1: ${fmt(base.hotRowUpdateTps)} tps`,
      "≥ 100,000/s and ≥ 25% of insert rows/s",
      hot >= 100_000 && hot >= 0.25 * base.insert100RowsPerSecond,
    );
    record(
      "PG single usage posts/s, 64 clients, hot wallet",
      `${fmt(singles)}/s (${(singles / base.hotRowUpdateTps).toFixed(2)}× hot-row tps)`,
      `pgbench hot-row update ×1 (prepared): ${fmt(base.hotRowUpdateTps)} tps; random-row ×32: ${fmt(base.randomRowUpdateTps)} tps`,
      "≥ 1.5× hot-row tps",
      singles >= 1.5 * base.hotRowUpdateTps,
    );
    recordAuthorisation(auth, authAlone);
    record(
      "PG threshold crossing → charge started",
      `p50 ${threshold.p50.toFixed(1)} ms, p99 ${threshold.p99.toFixed(1)} ms (${threshold.n} crossings)`,
      "—",
      "p99 ≤ 50 ms",
      threshold.n === 200 && threshold.p99 <= 50,
    );
    record("PG server peak RSS", `${fmt(peakRss / 2 ** 20)} MB`, "—", "≤ 512 MB", peakRss <= 512 * 2 ** 20);
    const violations = await verifyLedger(db.db);
    record("PG verify after the run", violations.length === 0 ? "ok" : `${violations.length} violations`, "—", "ok", violations.length === 0);
  });
}

async function benchPglite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "prepaid-bench-"));
  console.log(`\nPGlite (${dir})`);
  try {
    const db = await connect({ dataDir: dir });
    await migrate(db);
    await seedWallets(db.db, "m", CLIENTS * BATCH, CLIENTS * BATCH);
    await seedWallets(db.db, "h", 1, CLIENTS * BATCH);
    await seedWallets(db.db, "n", CLIENTS * BATCH, CLIENTS * BATCH);
    await db.close(); // one process at a time on a PGlite directory

    const naive = await startServer({ PREPAID_DATA_DIR: dir, DATABASE_URL: "", PREPAID_USAGE_BATCH_MAX: "1" });
    const naiveClient = new LoadClient(naive.url, 16);
    const naiveDebits = await batchDebitsPerSecond(naiveClient, "n");
    naiveClient.close();
    await naive.stop();

    const server = await startServer({ PREPAID_DATA_DIR: dir, DATABASE_URL: "" });
    const client = new LoadClient(server.url, 16);
    await batchDebitsPerSecond(client, "m", 1000);
    const many = await batchDebitsPerSecond(client, "m");
    const hot = await batchDebitsPerSecond(client, "h");
    const peakRss = server.peakRssBytes();
    client.close();
    await server.stop();

    const naiveLabel = `naive writer (1 tx/debit) ${fmt(naiveDebits)}/s`;
    record("PGlite batch debits/s, 4000 wallets", `${fmt(many)}/s (${(many / naiveDebits).toFixed(1)}× naive)`, naiveLabel, "≥ 25,000/s", many >= 25_000);
    record("PGlite batch debits/s, one hot wallet", `${fmt(hot)}/s (${(hot / naiveDebits).toFixed(1)}× naive)`, naiveLabel, "≥ 25,000/s", hot >= 25_000);
    record("PGlite server peak RSS", `${fmt(peakRss / 2 ** 20)} MB`, "—", "≤ 512 MB", peakRss <= 512 * 2 ** 20);
    const check = await connect({ dataDir: dir });
    const violations = await verifyLedger(check.db);
    record("PGlite verify after the run", violations.length === 0 ? "ok" : `${violations.length} violations`, "—", "ok", violations.length === 0);
    await check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Three server processes on one PostgreSQL, all under load: batches spread round-robin over
 * the three, with wallets that cross their threshold again and again, so every process's
 * worker charges. Afterwards: every recharge once, every receipt once, verify clean.
 */
async function benchThreeProcesses(baseUrl: string): Promise<void> {
  await withBenchDatabase(baseUrl, "Three server processes on PostgreSQL", async (dbUrl, db) => {
    await seedWallets(db.db, "m", CLIENTS * BATCH - 200, CLIENTS * BATCH - 200);
    await seedWallets(db.db, "r", 200, 200, 10_500_000n); // these cross $10 every few seconds
    await enableAutoRecharge(db.db, "r", 200);
    const env = { DATABASE_URL: dbUrl, PREPAID_USAGE_WRITERS: "2", PREPAID_WORKER_POLL_MS: "50" };
    const servers = await Promise.all([startServer(env), startServer(env), startServer(env)]);
    const clients = servers.map((s) => new LoadClient(s.url, 16));
    const calls = [
      ...Array.from({ length: CLIENTS * BATCH - 200 }, (_, i) => `call_m${i + 1}`),
      ...Array.from({ length: 200 }, (_, i) => `call_r${i + 1}`),
    ];
    // Each loop owns a slice of the calls; each request goes to the next process.
    let turn = 0;
    const { units, seconds } = await closedLoop(CLIENTS, MS, async (w, i) => {
      const events = calls.slice(w * BATCH, (w + 1) * BATCH).map((call_id) => ({ call_id, elapsed_seconds: (i + 1) * 30 }));
      const res = await clients[turn++ % 3]!.post("/v1/usage", ADMIN, { events });
      if (res.status !== 200) throw new Error(`usage batch: ${res.status} ${res.text.slice(0, 200)}`);
      return events.length;
    });
    for (let tries = 0; tries < 200; tries++) {
      const [open] = await queryRows<{ n: bigint }>(db.db, sql`select count(*) as n from recharges where status in ('pending', 'processing')`);
      if (open!.n === 0n) break;
      await sleep(50);
    }
    clients.forEach((c) => c.close());
    await Promise.all(servers.map((s) => s.stop()));
    const [counts] = await queryRows<{ recharges: bigint; receipts: bigint; distinct_receipts: bigint; provider: bigint }>(
      db.db,
      sql`select (select count(*) from recharges where status = 'succeeded') as recharges,
                 (select count(*) from notifications where type = 'recharge.succeeded') as receipts,
                 (select count(distinct data->>'recharge_id') from notifications where type = 'recharge.succeeded') as distinct_receipts,
                 (select count(*) from sandbox_charges where status = 'succeeded') as provider`,
    );
    const violations = await verifyLedger(db.db);
    const once = counts!.receipts === counts!.recharges && counts!.distinct_receipts === counts!.recharges && counts!.provider === counts!.recharges;
    record(
      "PG 3 processes: batch debits/s, all processes loaded",
      `${fmt(units / seconds)}/s; ${counts!.recharges} recharges, ${counts!.receipts} receipts, ${counts!.provider} provider charges`,
      "the single-process figure above",
      "every recharge and receipt once, verify ok",
      once && violations.length === 0,
    );
  });
}

/**
 * PostgreSQL over TCP on loopback against its Unix socket (issue 19), in one sitting, through
 * the same server build: the per-request round trips (single usage posts, one call start at a
 * time) and pgbench's hot-row update, which is nothing but round trips. TCP is the baseline.
 */
async function benchUnixSocket(baseUrl: string): Promise<void> {
  if (!existsSync(`${SOCKET_DIR}/.s.PGSQL.5432`)) {
    console.log(`\nUnix socket: no PostgreSQL socket in ${SOCKET_DIR}; skipped`);
    return;
  }
  await withBenchDatabase(baseUrl, "PostgreSQL: TCP against the Unix socket", async (tcpUrl, db) => {
    const socketUrl = unixSocketUrl(tcpUrl, SOCKET_DIR);
    const measured: Record<"tcp" | "socket", { singles: number; alone: { p50: number; p99: number }; hotTps: number }> = {} as never;
    for (const [transport, url, prefix] of [["tcp", tcpUrl, "x"], ["socket", socketUrl, "y"]] as const) {
      await seedWallets(db.db, `${prefix}s`, 1, 64);
      await seedWallets(db.db, `${prefix}a`, 100, 0);
      const base = await pgbenchBaselines(url, SECONDS);
      const server = await startServer({ DATABASE_URL: url, PREPAID_USAGE_WRITERS: "2" });
      const client = new LoadClient(server.url, 64);
      await sequentialAuthorisation(client, `${prefix}a`, 100, 500); // warm-up
      const alone = await sequentialAuthorisation(client, `${prefix}a`, 100, 2000);
      const singles = await singleReportsPerSecond(client, `${prefix}s`);
      client.close();
      await server.stop();
      measured[transport] = { singles, alone, hotTps: base.hotRowUpdateTps };
    }
    const { tcp, socket } = measured;
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    record("PG single usage posts/s over the Unix socket", `${fmt(socket.singles)}/s (${ratio(socket.singles, tcp.singles)} TCP)`, `TCP: ${fmt(tcp.singles)}/s`, "—", undefined);
    record(
      "PG call start, one at a time, over the Unix socket",
      `p50 ${socket.alone.p50.toFixed(2)} ms, p99 ${socket.alone.p99.toFixed(2)} ms`,
      `TCP: p50 ${tcp.alone.p50.toFixed(2)} ms, p99 ${tcp.alone.p99.toFixed(2)} ms`,
      "—",
      undefined,
    );
    record("pgbench hot-row update ×1 over the Unix socket", `${fmt(socket.hotTps)} tps (${ratio(socket.hotTps, tcp.hotTps)} TCP)`, `TCP: ${fmt(tcp.hotTps)} tps`, "—", undefined);
  });
}

/**
 * Credit grants on the usage writer's hot path (docs/concepts.md): batch debits across 4000 wallets
 * with no grant, and across 4000 wallets of which every tenth has grants (the writer locks and
 * spends them, records each spend), in one server, alternating so drift hits both alike.
 */
async function benchGrants(baseUrl: string): Promise<void> {
  await withBenchDatabase(baseUrl, "Credit grants on PostgreSQL", async (dbUrl, db) => {
    await seedWallets(db.db, "m", CLIENTS * BATCH, CLIENTS * BATCH);
    await seedWallets(db.db, "g", CLIENTS * BATCH, CLIENTS * BATCH);
    await seedGrants(db.db, "g", CLIENTS * BATCH, 10);
    const server = await startServer({ DATABASE_URL: dbUrl, PREPAID_USAGE_WRITERS: "2" });
    const client = new LoadClient(server.url, 64);
    const half = MS / 2;
    await batchDebitsPerSecond(client, "m", 1000); // warm-up
    await batchDebitsPerSecond(client, "g", 1000);
    const none: number[] = [];
    const some: number[] = [];
    for (let i = 0; i < 2; i++) {
      none.push(await batchDebitsPerSecond(client, "m", half));
      some.push(await batchDebitsPerSecond(client, "g", half));
    }
    client.close();
    await server.stop();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [plain, granted] = [mean(none), mean(some)];
    record("PG batch debits/s, 4000 wallets, grants on 10%", `${fmt(granted)}/s (${((granted / plain) * 100).toFixed(0)}% of no grants)`, `no grants: ${fmt(plain)}/s`, "≥ 75% of no grants", granted >= 0.75 * plain);
    const [spends] = await queryRows<{ n: bigint }>(db.db, sql`select count(*)::bigint as n from grant_spends`);
    const violations = await verifyLedger(db.db);
    record("PG verify after the grants run", violations.length === 0 ? `ok (${fmt(Number(spends!.n))} grant spends)` : `${violations.length} violations`, "—", "ok", violations.length === 0);
  });
}

/**
 * Agency rebilling on the usage writer's hot path (docs/plans.md): batch debits across 4000
 * wallets with no rebilling, and across 4000 wallets of which every other one is a subaccount
 * of one of 40 reselling agencies (each batch then also locks those agencies' wallets and posts
 * one margin entry per agency, and its rebilled entries carry their margin), in one server,
 * alternating so drift hits both alike.
 */
async function benchRebilling(baseUrl: string): Promise<void> {
  await withBenchDatabase(baseUrl, "Agency rebilling on PostgreSQL", async (dbUrl, db) => {
    await seedWallets(db.db, "m", CLIENTS * BATCH, CLIENTS * BATCH);
    await seedWallets(db.db, "r", CLIENTS * BATCH, CLIENTS * BATCH);
    await seedRebilled(db.db, "r", CLIENTS * BATCH, 40);
    const server = await startServer({ DATABASE_URL: dbUrl, PREPAID_USAGE_WRITERS: "2" });
    const client = new LoadClient(server.url, 64);
    const half = MS / 2;
    await batchDebitsPerSecond(client, "m", 1000); // warm-up
    await batchDebitsPerSecond(client, "r", 1000);
    const none: number[] = [];
    const some: number[] = [];
    for (let i = 0; i < 2; i++) {
      none.push(await batchDebitsPerSecond(client, "m", half));
      some.push(await batchDebitsPerSecond(client, "r", half));
    }
    client.close();
    await server.stop();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [plain, rebilled] = [mean(none), mean(some)];
    record(
      "PG batch debits/s, 4000 wallets, half rebilled under 40 agencies",
      `${fmt(rebilled)}/s (${((rebilled / plain) * 100).toFixed(0)}% of no rebilling)`,
      `no rebilling: ${fmt(plain)}/s`,
      "≥ 75% of no rebilling",
      rebilled >= 0.75 * plain,
    );
    const [margins] = await queryRows<{ n: bigint; total: bigint | null }>(db.db, sql`select count(*)::bigint as n, sum(amount_micros)::bigint as total from ledger_entries where type = 'rebilling_margin'`);
    const violations = await verifyLedger(db.db);
    record(
      "PG verify after the rebilling run",
      violations.length === 0 ? `ok (${fmt(Number(margins!.n))} margin entries, $${(Number(margins!.total ?? 0n) / 1e6).toFixed(2)} of margin)` : `${violations.length} violations: ${violations[0]!.check}`,
      "—",
      "ok",
      violations.length === 0,
    );
  });
}

function recordAuthorisation(auth: Awaited<ReturnType<typeof authorisationLatency>>, alone: { p50: number; p99: number }): void {
  record(
    "PG call authorisation at 2,000 req/s",
    `p50 ${auth.p50.toFixed(2)} ms, p90 ${auth.p90.toFixed(2)} ms, p99 ${auth.p99.toFixed(2)} ms (${auth.sent} sent, ${auth.failed} failed)`,
    `one request at a time: p50 ${alone.p50.toFixed(2)} ms, p99 ${alone.p99.toFixed(2)} ms`,
    "p99 ≤ 2 ms",
    auth.p99 <= 2 && auth.failed === 0,
  );
}

/** Call authorisation alone (its own database and server): at 2,000 starts/s, and one at a time. For A/B runs of the start path. */
async function benchCalls(baseUrl: string): Promise<void> {
  await withBenchDatabase(baseUrl, "Call authorisation on PostgreSQL", async (dbUrl, db) => {
    await seedWallets(db.db, "a", 100, 0);
    const server = await startServer({ DATABASE_URL: dbUrl, PREPAID_USAGE_WRITERS: "2" });
    const client = new LoadClient(server.url, 64);
    await authorisationLatency(client, "a", 100, 2000, 1); // warm-up
    const auth = await authorisationLatency(client, "a", 100, 2000);
    const alone = await sequentialAuthorisation(client, "a", 100, 2000);
    client.close();
    await server.stop();
    recordAuthorisation(auth, alone);
  });
}

/**
 * Voice connectors (issue 31): signed Twilio status callbacks through one process, beside the
 * API path an agent would take for the same calls (start, end) in the same run; then one tick of
 * prepaid's own meter with 1,000 running provider calls, beside the same 1,000 reports as one
 * usage batch (the tick's floor).
 */
async function benchConnectors(baseUrl: string): Promise<void> {
  await withBenchDatabase(baseUrl, "Voice connectors on PostgreSQL", async (dbUrl, db) => {
    await seedWallets(db.db, "v", 100, 0); // provider calls
    await seedWallets(db.db, "p", 100, 0); // the API path
    await seedWallets(db.db, "k", 100, 1000); // the tick's floor: 1,000 running API calls
    await seedWallets(db.db, "r", 100, 0); // 1,000 running provider calls
    const sid = "AC00000000000000000000000000000042";
    const token = "bench-twilio-auth-token";
    // No hang-up or lookup reaches Twilio here (nothing is refused, nothing goes silent): the API base is a closed port.
    const twilioEnv = { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_API_BASE: "http://127.0.0.1:9" };
    const server = await startServer({ DATABASE_URL: dbUrl, PREPAID_USAGE_WRITERS: "2", PREPAID_CONNECTOR_TICK: "5m", ...twilioEnv });
    const client = new LoadClient(server.url, 64);
    const callback = async (callSid: string, account: string, status: string, at: Date, extra: Record<string, string> = {}) => {
      const path = `/v1/connectors/twilio/events?prepaid_account_id=${account}`;
      const params = { AccountSid: sid, CallSid: callSid, CallStatus: status, Timestamp: at.toUTCString(), ...extra };
      const signature = twilio.getExpectedTwilioSignature(token, `${server.url}${path}`, params);
      const res = await client.postRaw(path, { "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded" }, new URLSearchParams(params).toString());
      if (res.status !== 200) throw new Error(`connector event: ${res.status} ${res.text.slice(0, 200)}`);
    };
    const providerCalls = (durationMs: number, tag: string) =>
      closedLoop(64, durationMs, async (w, i) => {
        const callSid = `CA${tag}${w}x${i}`;
        const account = `acct_v${(w % 100) + 1}`;
        await callback(callSid, account, "in-progress", new Date());
        await callback(callSid, account, "completed", new Date(), { CallDuration: "30" });
        return 2;
      });
    const apiCalls = (durationMs: number) =>
      closedLoop(64, durationMs, async (w) => {
        const start = await client.post("/v1/calls", ADMIN, { account_id: `acct_p${(w % 100) + 1}` });
        if (start.status !== 201) throw new Error(`call start: ${start.status} ${start.text.slice(0, 200)}`);
        const callId = (JSON.parse(start.text) as { call_id: string }).call_id;
        const end = await client.post(`/v1/calls/${callId}/end`, ADMIN, { elapsed_seconds: 30 });
        if (end.status !== 200) throw new Error(`call end: ${end.status} ${end.text.slice(0, 200)}`);
        return 2;
      });
    await providerCalls(1000, "w"); // warm-up
    await apiCalls(1000);
    const events = await providerCalls(MS, "m");
    const api = await apiCalls(MS);
    // 1,000 provider calls answered a minute ago, still running.
    const answeredAt = new Date(Date.now() - 60_000);
    await Promise.all(
      Array.from({ length: 50 }, async (_, w) => {
        for (let i = 0; i < 20; i++) await callback(`CArun${w}x${i}`, `acct_r${((w * 20 + i) % 100) + 1}`, "in-progress", answeredAt);
      }),
    );
    client.close();
    await server.stop();

    const config = loadConfig({ DATABASE_URL: dbUrl, PREPAID_SECRET: "bench-secret-0123456789-0123456789-0123", PREPAID_CONNECTOR_TICK: "15s", ...twilioEnv });
    const writer = new UsageWriter(db.db, config, () => new Date(), { concurrency: 2 });
    const ticker = new ConnectorTicker(db.db, config, writer, new Map(), () => new Date());
    const tickMs: number[] = [];
    const batchMs: number[] = [];
    for (let pass = 1; pass <= 7; pass++) {
      // A second between passes, so each tick bills a new second on every call, as in service.
      await sleep(1000);
      let t = performance.now();
      await ticker.runOnce();
      tickMs.push(performance.now() - t);
      t = performance.now();
      await writer.submit(Array.from({ length: 1000 }, (_, k) => ({ callId: `call_k${k + 1}`, elapsedSeconds: 60 + pass, final: false })));
      batchMs.push(performance.now() - t);
    }
    const [running] = await queryRows<{ n: bigint; billed: bigint }>(
      db.db,
      sql`select count(*) as n, min(c.billed_seconds) as billed from connector_calls cc join calls c on c.id = cc.call_id where cc.status = 'answered' and c.status = 'active'`,
    );
    tickMs.sort((a, b) => a - b);
    batchMs.sort((a, b) => a - b);
    const eps = events.units / events.seconds;
    const rps = api.units / api.seconds;
    record(
      "PG connector events/s, Twilio-signed (answer + completed), 64 clients",
      `${fmt(eps)}/s (${(eps / rps).toFixed(2)}× the API path)`,
      `API path, same calls (POST /v1/calls + …/end): ${fmt(rps)} requests/s`,
      "—",
      undefined,
    );
    record(
      `PG connector tick, ${running!.n} running calls`,
      `p50 ${percentile(tickMs, 50).toFixed(0)} ms, max ${tickMs[tickMs.length - 1]!.toFixed(0)} ms per pass (${((percentile(tickMs, 50) / 15_000) * 100).toFixed(1)}% of a 15 s tick)`,
      `the same 1,000 reports as one usage batch: p50 ${percentile(batchMs, 50).toFixed(0)} ms`,
      "—",
      undefined,
    );
    const violations = await verifyLedger(db.db);
    record("PG verify after the connector run", violations.length === 0 ? "ok" : `${violations.length} violations`, "—", "ok", violations.length === 0);
  });
}

async function main(): Promise<void> {
  console.log(`prepaid benchmarks: ${SECONDS} s per measurement, Node ${process.version}, ${(await import("node:os")).cpus().length} cores`);
  const pgUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
  // npm run bench [-- postgres | pglite | multi | socket | grants | rebilling | calls | connectors]: one part
  // only; nothing: all of them but `calls` (its figure is in `postgres` already).
  const only = process.argv[2];
  if (only === undefined || only === "postgres") await benchPostgres(pgUrl);
  if (only === undefined || only === "socket") await benchUnixSocket(pgUrl);
  if (only === undefined || only === "grants") await benchGrants(pgUrl);
  if (only === undefined || only === "rebilling") await benchRebilling(pgUrl);
  if (only === "calls") await benchCalls(pgUrl);
  if (only === undefined || only === "connectors") await benchConnectors(pgUrl);
  if (only === undefined || only === "multi") await benchThreeProcesses(pgUrl);
  if (only === undefined || only === "pglite") await benchPglite();
  console.log("\n| figure | ours | baseline (same run) | target | met |\n|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.figure} | ${r.ours} | ${r.baseline} | ${r.target} | ${r.met} |`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("bench failed:", error);
    process.exit(1);
  },
);
