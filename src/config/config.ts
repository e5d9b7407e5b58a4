import { parseConfigMicros } from "../money/parse.js";
import type { Micros } from "../money/micros.js";

export interface Config {
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  adminKey: string | undefined;
  payments: "sandbox" | "stripe";
  /** Rate table (operator configuration): $0.16/min with the Web Widget, $0.18/min without. */
  rates: { withWidgetMicros: Micros; withoutWidgetMicros: Micros };
}

/** Reads the environment once at start; a bad value stops the process with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? "3000");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT is not a port: ${env.PORT}`);
  const payments = env.PREPAID_PAYMENTS ?? "sandbox";
  if (payments !== "sandbox" && payments !== "stripe") {
    throw new Error(`PREPAID_PAYMENTS must be sandbox or stripe, not ${payments}`);
  }
  return {
    port,
    dataDir: env.PREPAID_DATA_DIR ?? "./data",
    databaseUrl: env.DATABASE_URL || undefined,
    adminKey: env.PREPAID_ADMIN_KEY || undefined,
    payments,
    rates: {
      withWidgetMicros: parseConfigMicros(env.PREPAID_RATE_WITH_WIDGET ?? "0.16"),
      withoutWidgetMicros: parseConfigMicros(env.PREPAID_RATE_WITHOUT_WIDGET ?? "0.18"),
    },
  };
}
