import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { PaymentGateway } from "./gateway.js";
import { parseSandboxFaults } from "./sandbox/faults.js";
import { SandboxGateway } from "./sandbox/sandbox-gateway.js";
import { StripeGateway } from "./stripe/stripe-gateway.js";

export function createGateway(config: Config, db: Database): PaymentGateway {
  if (config.payments === "sandbox") return new SandboxGateway(db, config.sandboxDelayMs, parseSandboxFaults(config.sandboxFaults));
  if (!config.stripe) throw new Error("assertion: stripe settings are loaded with PREPAID_PAYMENTS=stripe");
  return new StripeGateway(db, config.stripe, config.gatewayTimeoutMs);
}
