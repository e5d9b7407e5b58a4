import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { PaymentGateway } from "./gateway.js";
import { parseSandboxFaults } from "./sandbox/faults.js";
import { SandboxGateway } from "./sandbox/sandbox-gateway.js";
import { StripeGateway } from "./stripe/stripe-gateway.js";

export function createGateway(config: Config, db: Database): PaymentGateway {
  if (config.payments === "sandbox") {
    const fingerprintOf = (cardNumber: string) => config.secrets.mac("sandbox-card-fingerprint", cardNumber);
    return new SandboxGateway(db, config.sandboxDelayMs, parseSandboxFaults(config.sandboxFaults), fingerprintOf);
  }
  if (!config.stripe) throw new Error("assertion: stripe settings are loaded with PREPAID_PAYMENTS=stripe");
  return new StripeGateway(db, config.stripe, config.gatewayTimeoutMs);
}
