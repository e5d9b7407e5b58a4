import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { PaymentGateway } from "./gateway.js";
import { SandboxGateway } from "./sandbox/sandbox-gateway.js";

export function createGateway(config: Config, db: Database): PaymentGateway {
  if (config.payments === "sandbox") return new SandboxGateway(db, config.sandboxDelayMs, config.sandboxFaults);
  // The Stripe adapter is its own piece of work (issue 5); refuse to start rather than pretend.
  throw new Error("PREPAID_PAYMENTS=stripe is not available in this version; use sandbox");
}
