import { RechargeWorker } from "./billing/recharge-worker.js";
import { UsageWriter } from "./billing/usage-writer.js";
import type { Config } from "./config/config.js";
import type { Database } from "./db/database.js";
import type { AppDeps } from "./http/context.js";
import { startServer, type RunningServer } from "./http/server.js";
import { createGateway } from "./payments/create-gateway.js";

export interface Service {
  deps: AppDeps;
  server: RunningServer | undefined;
  worker: RechargeWorker | undefined;
  stop(): Promise<void>;
}

/**
 * Wires one process: the payment gateway, the recharge worker (unless run apart), and the
 * HTTP server (unless only the worker is wanted).
 */
export async function startService(
  db: Database,
  config: Config,
  options: { http: boolean; worker: boolean; port?: number; hostname?: string; crashAfterCharge?: boolean },
): Promise<Service> {
  const gateway = createGateway(config, db);
  const worker = options.worker ? new RechargeWorker(db, config, gateway, { crashAfterCharge: options.crashAfterCharge ?? false }) : undefined;
  const now = () => new Date();
  const usageWriter = new UsageWriter(db, config, now, { maxBatchEvents: config.usageBatchMax, concurrency: config.usageWriters });
  usageWriter.onRecharge = () => worker?.nudge();
  const deps: AppDeps = { db, config, gateway, nudgeWorker: () => worker?.nudge(), usageWriter, now };
  worker?.start();
  const server = options.http ? await startServer(deps, options.port ?? config.port, options.hostname) : undefined;
  return {
    deps,
    server,
    worker,
    async stop() {
      await server?.close();
      await worker?.stop();
    },
  };
}
