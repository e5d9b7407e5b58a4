import type { Principal } from "../accounts/principal.js";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { PaymentGateway } from "../payments/gateway.js";
import type { UsageWriter } from "../billing/usage/usage-writer.js";
import type { CallStarter } from "../billing/calls/call-starter.js";
import type { HostResolver } from "../notifications/outbound-guard.js";
import type { Connector, ProviderName } from "../connectors/connector.js";
import type { ConnectorTicker } from "../billing/connector-calls/connector-ticker.js";

/** What every request handler can reach: the process's dependencies and the caller. */
export interface AppDeps {
  db: Database;
  config: Config;
  gateway: PaymentGateway;
  /** The after-commit hook: wakes this process's workers, if it runs any (see commitRequest). */
  afterCommit: () => void;
  /** Group commit for usage debits. */
  usageWriter: UsageWriter;
  /** Group commit for call authorisation. */
  callStarter: CallStarter;
  now: () => Date;
  /**
   * The workers this process was started to run, and whether each is running (for /readyz);
   * empty when it runs none (PREPAID_IN_PROCESS_WORKER=false, or `prepaid worker` elsewhere).
   */
  workers: () => Record<string, boolean>;
  /** How webhook host names are resolved (tests stub it: no lookup leaves the machine). */
  resolveHost: HostResolver;
  /** The voice providers configured (PREPAID_CONNECTOR…, TWILIO_…, VAPI_…, RETELL_…); empty: none. */
  connectors: ReadonlyMap<ProviderName, Connector>;
  /** Meters provider calls and hangs them up; present when any connector is (started only with the workers). */
  connectorTicker: ConnectorTicker | undefined;
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    requestId: string;
    principal: Principal;
  };
};
