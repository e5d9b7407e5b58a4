import type { Config } from "../../config/config.js";
import { inTransaction, type Database } from "../../db/database.js";
import { PolledWorker } from "../../workers/polled-worker.js";
import { dueGrants, expireGrant } from "./grants.js";

/** Grants expired per pass at most, each in its own transaction; the rest wait for the next pass. */
const GRANTS_PER_PASS = 50;

/**
 * Applies grants' expiries once they are due (docs/concepts.md). Lateness costs nothing but the
 * wait: usage after `expires_at` never spends the grant, so the expiry takes exactly what
 * was left at that instant whenever it runs. Several workers may run: each expiry locks its
 * wallet and then its grant and applies only if not applied yet.
 */
export class GrantExpiryWorker extends PolledWorker {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {
    super("grant expiry worker", config.workerPollMs);
  }

  async runOnce(): Promise<number> {
    const due = await dueGrants(this.db, GRANTS_PER_PASS);
    let expired = 0;
    for (const id of due) {
      if ((await inTransaction(this.db, (tx) => expireGrant(tx, this.config, id, this.now()))) !== null) expired += 1;
    }
    return expired;
  }
}
