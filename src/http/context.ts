import type { Principal } from "../accounts/api-keys.js";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";

/** What every request handler can reach: the process's dependencies and the caller. */
export interface AppDeps {
  db: Database;
  config: Config;
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    requestId: string;
    principal: Principal;
  };
};
