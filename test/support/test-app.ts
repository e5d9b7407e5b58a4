import { loadConfig, type Config } from "../../src/config/config.js";
import { generateKey } from "../../src/accounts/api-keys.js";
import type { RunningServer } from "../../src/http/server.js";
import type { AppDeps } from "../../src/http/context.js";
import type { RechargeWorker } from "../../src/billing/recharges/recharge-worker.js";
import { startService } from "../../src/service.js";
import { testDatabase, type TestDatabase } from "./test-database.js";
import type { DatabaseHandle } from "../../src/db/database.js";
import { LocalStripe } from "./stripe-server/stripe-server.js";
import type { HostResolver } from "../../src/notifications/outbound-guard.js";

/**
 * The provider the tests run against: the built-in sandbox, or Stripe through the official SDK
 * against the local Stripe-compatible server (PREPAID_TEST_PAYMENTS=stripe; .ci/run runs the
 * scenario set both ways).
 */
/**
 * Tests never resolve a name through the network: "localhost" is loopback, any other name
 * does not exist unless a test hands in a resolver of its own.
 */
export const offlineResolver: HostResolver = async (hostname) => {
  if (hostname === "localhost") return [{ address: "127.0.0.1", family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
};

/** The server secret of every test server (vitest.config.ts hands it to spawned processes too). */
export const TEST_SECRET = process.env.PREPAID_SECRET ?? "test-secret-0123456789abcdefghijklmnopqrstuvwxyz";

export const testPayments: "sandbox" | "stripe" = process.env.PREPAID_TEST_PAYMENTS === "stripe" ? "stripe" : "sandbox";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  key?: string | undefined;
  body?: unknown;
  /** Sent as is, for malformed JSON and number forms JSON.stringify cannot produce (1e3). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A running prepaid HTTP server on its own test database, and a small client for it. */
export interface TestApp {
  db: TestDatabase;
  server: RunningServer;
  deps: AppDeps;
  worker: RechargeWorker | undefined;
  config: Config;
  adminKey: string;
  /** The local Stripe when the app runs on Stripe. */
  stripe: LocalStripe | undefined;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** Creates an account through the API and an API key for it. */
  createAccount(input: Record<string, unknown>): Promise<{ id: string; key: string; account: any }>;
  close(): Promise<void>;
}

/** Starts the service (HTTP server and, unless `worker: false`, the in-process worker) on a fresh database. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { worker?: boolean; db?: DatabaseHandle; stripe?: LocalStripe; resolveHost?: HostResolver } = {},
): Promise<TestApp> {
  // On Stripe, the sandbox's processing time becomes the local Stripe's, so scenarios keep their timing.
  // A LocalStripe handed in outlives the app (its owner stops it); otherwise the app owns one.
  const ownsStripe = !options.stripe && (env.PREPAID_PAYMENTS ?? testPayments) === "stripe";
  const stripe = options.stripe ?? (ownsStripe ? await new LocalStripe().start() : undefined);
  if (stripe) {
    stripe.chargeDelayMs = Number(env.PREPAID_SANDBOX_DELAY_MS ?? 0);
    env = { ...env, ...stripe.env() };
  }
  // A database handed in stays open when the app closes: its owner closes it.
  const db: TestDatabase = options.db ? { ...options.db, url: undefined, close: async () => {} } : await testDatabase();
  const adminKey = generateKey();
  const config = loadConfig({ PREPAID_ADMIN_KEY: adminKey, PREPAID_SECRET: TEST_SECRET, PREPAID_WORKER_POLL_MS: "50", ...env });
  const service = await startService(db.db, config, {
    http: true,
    worker: options.worker ?? true,
    port: 0,
    resolveHost: options.resolveHost ?? offlineResolver,
  });
  const server = service.server!;
  if (stripe) stripe.webhookUrl = `${server.url}/v1/webhooks/stripe`;

  const request = async <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.Authorization = `Bearer ${options.key}`;
    let body: string | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (metrics): the text itself.
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };

  const app: TestApp = {
    db,
    server,
    deps: service.deps,
    worker: service.worker,
    config,
    adminKey,
    stripe,
    request,
    async createAccount(input) {
      const created = await request("POST", "/v1/accounts", { key: adminKey, body: input });
      if (created.status !== 201) throw new Error(`create account: ${created.status} ${JSON.stringify(created.body)}`);
      const key = await request("POST", `/v1/accounts/${created.body.id}/api-keys`, { key: adminKey });
      if (key.status !== 201) throw new Error(`create key: ${key.status} ${JSON.stringify(key.body)}`);
      return { id: created.body.id, key: key.body.key, account: created.body };
    },
    async close() {
      if (stripe?.webhookUrl?.startsWith(server.url)) stripe.webhookUrl = undefined;
      await service.stop();
      if (ownsStripe) await stripe?.stop();
      await db.close();
    },
  };
  return app;
}
