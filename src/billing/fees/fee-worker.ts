import type { Config } from "../../config/config.js";
import { inTransaction, type Database } from "../../db/database.js";
import { PolledWorker } from "../../workers/polled-worker.js";
import { chargeFee, dueFeeIds } from "./fees.js";

/** Fees charged per pass at most, each in its own transaction; the rest wait for the next pass. */
const FEES_PER_PASS = 50;

/**
 * Charges recurring fees at each period's start (docs/plans.md). A worker that was down charges
 * each missed period once when it is back (up to 24 per fee per pass; the next pass goes on).
 * Several workers may run: each charge locks the wallets, then the fee, and charges only periods
 * not charged yet, each under its own ledger key.
 */
export class FeeWorker extends PolledWorker {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {
    super("recurring fee worker", config.workerPollMs);
  }

  async runOnce(): Promise<number> {
    const due = await inTransaction(this.db, (tx) => dueFeeIds(tx, this.now(), FEES_PER_PASS));
    let periods = 0;
    for (const id of due) periods += (await inTransaction(this.db, (tx) => chargeFee(tx, this.config, id, this.now()))).length;
    return periods;
  }
}
