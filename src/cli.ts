import { readFileSync } from "node:fs";
import { describeDatabaseUrl } from "./db/database-url.js";
import { ensureAdminKey } from "./accounts/admin-key.js";
import { loadConfig, type Config } from "./config/config.js";
import { connect, migrate } from "./db/connect.js";
import { settingText } from "./config/settings.js";
import type { DatabaseHandle } from "./db/database.js";
import { verifyLedger } from "./ledger/verify.js";
import { startService } from "./service.js";
import { RechargeWorker } from "./billing/recharges/recharge-worker.js";
import { settleChargeSucceeded } from "./billing/provider-events/provider-events.js";
import { createGateway } from "./payments/create-gateway.js";
import { runCampaign } from "./simulate/campaign.js";
import { generateKey } from "./accounts/api-keys.js";
import { randomBase62 } from "./ids/prefixed-id.js";
import { ensureDemoAccounts } from "./demo/demo-accounts.js";
import { configureLogging, flushLogs } from "./logging/logger.js";

const USAGE = `usage: prepaid <command>

  serve     migrate, then run the API (and the dashboard and worker) on $PORT
  worker    run only the recharge worker (several may share one PostgreSQL);
            --drain: finish every pending or in-flight recharge, then exit
  migrate   apply pending database migrations and exit
  verify    check the ledger invariants; exits 1 and names the accounts when one fails
  version   print prepaid's version, the SDK's, and the Node it runs on
  simulate  a demo campaign: calls drain a wallet, Auto-Recharge fires, a declining card pauses it
            (on a throwaway in-memory database; --url URL --admin-key KEY to use a running server;
             --calls N concurrent calls, default 20)

Environment: PORT, PREPAID_DATA_DIR, DATABASE_URL, PREPAID_ADMIN_KEY, PREPAID_PAYMENTS (see README).`;

async function open(config: Config): Promise<DatabaseHandle> {
  const handle = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(handle);
  return handle;
}

function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `PGlite in ${config.dataDir} (embedded: for trying and development; production money belongs on PostgreSQL)`;
  return describeDatabaseUrl(config.databaseUrl);
}

/** Past this, a stopping process exits anyway (1): under the 10 s a supervisor waits before SIGKILL. */
const SHUTDOWN_DEADLINE_MS = 9_000;

async function serve(config: Config): Promise<void> {
  configureLogging(config.logLevel);
  const handle = await open(config);
  const generatedAdminKey = await ensureAdminKey(handle.db, config.secrets, config.adminKey);
  // Before listening: a server that says where it listens is up, and stays up.
  const demo = config.demoAccounts ? await ensureDemoAccounts(handle.db, config.secrets, config.dataDir, config.adminKey) : null;
  const service = await startService(handle.db, config, {
    http: true,
    worker: config.inProcessWorker,
    hostname: settingText(process.env, "HOST") ?? "127.0.0.1",
    crashAfterCharge: settingText(process.env, "PREPAID_FAULT") === "crash_after_charge",
  });
  const server = service.server!;
  console.log(`prepaid listening on ${server.url}`);
  if (config.databaseUrl && config.secretSource === "file") {
    console.warn(
      `  warning: PREPAID_SECRET is unset, so this process uses the secret generated in ${config.dataDir}/server-secret. ` +
        "Every process on this database must share one secret (API keys and stored answers depend on it): set PREPAID_SECRET.",
    );
  }
  console.log(`  database: ${describeDatabase(config)}`);
  console.log(`  payments: ${config.payments}`);
  console.log(`  node: ${process.versions.node}`);
  if (config.stripe && !config.stripe.webhookSecret) {
    console.log("  warning: STRIPE_WEBHOOK_SECRET is not set: Stripe's events are refused, so charges settle only by the worker's answers and look-ups");
  }
  console.log(`  API docs: ${server.url}/openapi.json`);
  if (generatedAdminKey) {
    console.log(`\n  Operator (admin) key, shown only this once — keep it:\n    ${generatedAdminKey}\n`);
  }
  if (demo) {
    console.log(`\n  Dashboard: ${server.url}/  — sign in with a demo key (PREPAID_DEMO=false turns them off):`);
    console.log(`    user   (Demo Voice Co): ${demo.user.key}`);
    console.log(`    agency (Demo Agency):   ${demo.agency.key}\n`);
  } else {
    console.log(`  dashboard: ${server.url}/ (sign in with an account's API key)`);
  }
  const stop = async (signal: string) => {
    console.log(`${signal}: shutting down`);
    // A backstop: what did not finish by then is safe to abandon (leases expire, usage answered
    // only after commit), and a supervisor kills at 10 s anyway.
    setTimeout(() => {
      console.error(`${signal}: shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      flushLogs();
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await service.stop();
    await handle.close();
    flushLogs();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

async function worker(config: Config, drain: boolean): Promise<number> {
  configureLogging(config.logLevel);
  const handle = await open(config);
  const crashAfterCharge = settingText(process.env, "PREPAID_FAULT") === "crash_after_charge";
  if (drain) {
    const gateway = createGateway(config, handle.db);
    await new RechargeWorker(handle.db, config, gateway, { settleSucceeded: settleChargeSucceeded, crashAfterCharge }).drain();
    await handle.close();
    console.log("prepaid worker: drained, no recharge is pending or processing");
    return 0;
  }
  const service = await startService(handle.db, config, { http: false, worker: true, crashAfterCharge });
  console.log(`prepaid worker running on ${describeDatabase(config)}`);
  const stop = async () => {
    await service.stop();
    await handle.close();
    flushLogs();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  return -1;
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function simulate(config: Config, argv: string[]): Promise<number> {
  const calls = Number(flag(argv, "--calls") ?? "20");
  if (!Number.isInteger(calls) || calls < 1 || calls > 500) throw new Error("--calls must be 1 to 500");
  const url = flag(argv, "--url");
  if (url) {
    const adminKey = flag(argv, "--admin-key") ?? config.adminKey;
    if (!adminKey) throw new Error("--url needs --admin-key (or PREPAID_ADMIN_KEY)");
    await runCampaign({ baseUrl: url, adminKey, calls, secondsPerTick: 30, out: process.stdout });
    return 0;
  }
  // A throwaway embedded database, so the demo never touches ./data or a real server.
  const adminKey = generateKey();
  // Its own throwaway server secret too: nothing of the demo is kept.
  const demoConfig = loadConfig({
    ...process.env,
    PREPAID_ADMIN_KEY: adminKey,
    PREPAID_SECRET: randomBase62(48),
    DATABASE_URL: "",
    PREPAID_SANDBOX_DELAY_MS: "400",
    PREPAID_WORKER_POLL_MS: "50",
  });
  const handle = await connect({ dataDir: "memory://" });
  await migrate(handle);
  const service = await startService(handle.db, demoConfig, { http: true, worker: true, port: 0 });
  try {
    await runCampaign({ baseUrl: service.server!.url, adminKey, calls, secondsPerTick: 30, out: process.stdout });
    const violations = await verifyLedger(handle.db);
    console.log(violations.length === 0 ? "\nverify: ok — every invariant holds" : `\nverify: ${violations.length} violation(s)`);
    return violations.length === 0 ? 0 : 1;
  } finally {
    await service.stop();
    await handle.close();
  }
}

async function verify(config: Config): Promise<number> {
  const handle = await open(config);
  try {
    const violations = await verifyLedger(handle.db);
    if (violations.length === 0) {
      console.log("verify: ok — every invariant holds");
      return 0;
    }
    for (const v of violations) console.error(`verify: FAIL ${v.check} ${v.accountId ?? "-"}: ${v.detail}`);
    console.error(`verify: ${violations.length} violation(s)`);
    return 1;
  } finally {
    await handle.close();
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--version" || argv[0] === "version") {
    const version = (path: string) => (JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { version: string }).version;
    console.log(`prepaid ${version("../package.json")} (sdk ${version("../sdk/package.json")}, node ${process.versions.node})`);
    return 0;
  }
  const config = loadConfig();
  switch (argv[0]) {
    case "serve":
      await serve(config);
      return -1; // keeps running
    case "worker":
      return worker(config, argv.includes("--drain"));
    case "migrate": {
      const handle = await open(config);
      await handle.close();
      console.log(`migrate: ${describeDatabase(config)} is up to date`);
      return 0;
    }
    case "verify":
      return verify(config);
    case "simulate":
      return simulate(config, argv);
    default:
      console.error(USAGE);
      return argv[0] === undefined || argv[0] === "help" ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    flushLogs();
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    flushLogs();
    console.error("prepaid:", error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
