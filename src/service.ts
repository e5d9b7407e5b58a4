import { IdleCallWorker } from "./billing/calls/idle-calls.js";
import { GrantExpiryWorker } from "./billing/grants/grant-expiry-worker.js";
import { FeeWorker } from "./billing/fees/fee-worker.js";
import { ProviderEventPoller } from "./billing/provider-events/provider-event-poller.js";
import { applyOverdueParked, settleChargeSucceeded } from "./billing/provider-events/provider-events.js";
import { RechargeWorker } from "./billing/recharges/recharge-worker.js";
import { RefundWorker } from "./billing/reversals/refund-worker.js";
import { UsageWriter } from "./billing/usage/usage-writer.js";
import { CallStarter } from "./billing/calls/call-starter.js";
import type { Config } from "./config/config.js";
import type { Database } from "./db/database.js";
import type { AppDeps } from "./http/context.js";
import { startServer, type RunningServer } from "./http/server.js";
import { createGateway } from "./payments/create-gateway.js";
import { DeliveryWorker } from "./notifications/delivery-worker.js";
import { systemResolver, type HostResolver } from "./notifications/outbound-guard.js";
import { sealLegacyEndpointSecrets } from "./notifications/webhook-endpoints.js";
import { backfillAllReceipts } from "./receipts/receipts.js";
import { createConnectors } from "./connectors/create-connectors.js";
import { ConnectorTicker } from "./billing/connector-calls/connector-ticker.js";

/**
 * How long a stopping process waits for charges still at the provider before handing them
 * back: with the requests' drain before it, shutdown ends well inside the 10 s a supervisor
 * gives (docs/production.md); a provider answer takes ~1 s, its timeout 30 s.
 */
const SHUTDOWN_CHARGE_GRACE_MS = 5_000;

export interface Service {
  deps: AppDeps;
  server: RunningServer | undefined;
  worker: RechargeWorker | undefined;
  deliveryWorker: DeliveryWorker | undefined;
  stop(): Promise<void>;
}

/**
 * Wires one process: the payment gateway, the workers (recharges; webhook and email
 * deliveries) unless run apart, and the HTTP server (unless only the workers are wanted).
 */
export async function startService(
  db: Database,
  config: Config,
  options: { http: boolean; worker: boolean; port?: number; hostname?: string; crashAfterCharge?: boolean; resolveHost?: HostResolver },
): Promise<Service> {
  const resolveHost = options.resolveHost ?? systemResolver;
  await sealLegacyEndpointSecrets(db, config.secrets);
  if (options.worker) {
    await applyOverdueParked(db, config);
    await backfillAllReceipts(db, config.operatorName);
  }
  const gateway = createGateway(config, db);
  const worker = options.worker ? new RechargeWorker(db, config, gateway, { settleSucceeded: settleChargeSucceeded, crashAfterCharge: options.crashAfterCharge ?? false }) : undefined;
  const refundWorker = options.worker ? new RefundWorker(db, config, gateway) : undefined;
  const now = () => new Date();
  // The one after-commit hook (see commitRequest): the charge and refund workers wait for commits.
  const afterCommit = () => {
    worker?.nudge();
    refundWorker?.nudge();
  };
  const usageWriter = new UsageWriter(db, config, now, {
    maxBatchEvents: config.usageBatchMax,
    concurrency: config.usageWriters,
    afterCommit,
    maxQueuedEvents: config.usageQueueMax,
  });
  const callStarter = new CallStarter(db, config, { concurrency: config.usageWriters });
  const deliveryWorker = options.worker ? new DeliveryWorker(db, config, resolveHost) : undefined;
  const idleCallWorker = options.worker ? new IdleCallWorker(db, config) : undefined;
  const grantExpiryWorker = options.worker ? new GrantExpiryWorker(db, config, now) : undefined;
  const feeWorker = options.worker ? new FeeWorker(db, config, now) : undefined;
  // The sandbox has no webhooks: its disputes are polled and take the webhooks' path.
  const { pendingEvents, eventDelivered } = gateway;
  const eventPoller =
    options.worker && pendingEvents && eventDelivered
      ? new ProviderEventPoller(db, config, { pendingEvents: pendingEvents.bind(gateway), eventDelivered: eventDelivered.bind(gateway) })
      : undefined;
  // Voice providers' calls: the ticker exists wherever a connector is (a refused call is hung up
  // by the process that took its event); it meters only where the workers run.
  const connectors = createConnectors(config.connectors);
  const connectorTicker = connectors.size > 0 ? new ConnectorTicker(db, config, usageWriter, connectors, now) : undefined;
  const metering = options.worker ? connectorTicker : undefined;
  const workers = (): Record<string, boolean> =>
    worker && deliveryWorker && idleCallWorker && refundWorker && grantExpiryWorker && feeWorker
      ? {
          recharges: worker.isRunning,
          refunds: refundWorker.isRunning,
          deliveries: deliveryWorker.isRunning,
          idle_calls: idleCallWorker.isRunning,
          grant_expiries: grantExpiryWorker.isRunning,
          recurring_fees: feeWorker.isRunning,
          ...(metering ? { connector_calls: metering.isRunning } : {}),
        }
      : {};
  const deps: AppDeps = { db, config, gateway, afterCommit, usageWriter, callStarter, now, resolveHost, workers, connectors, connectorTicker };
  worker?.start();
  deliveryWorker?.start();
  idleCallWorker?.start();
  refundWorker?.start();
  grantExpiryWorker?.start();
  feeWorker?.start();
  eventPoller?.start();
  metering?.start();
  const server = options.http ? await startServer(deps, options.port ?? config.port, options.hostname) : undefined;
  return {
    deps,
    server,
    worker,
    deliveryWorker,
    async stop() {
      // Stop accepting; the requests already in are answered (their usage commits first).
      await server?.close();
      await Promise.all([worker?.stop(SHUTDOWN_CHARGE_GRACE_MS), deliveryWorker?.stop(), idleCallWorker?.stop(), refundWorker?.stop(), grantExpiryWorker?.stop(), feeWorker?.stop(), eventPoller?.stop(), metering?.stop()]);
    },
  };
}
