import { sql, type SQL } from "drizzle-orm";

/**
 * Granted credit past its `expires_at` whose expiry entry the worker has not posted yet
 * (docs/concepts.md: from that instant nothing spends or counts it, even if the worker is late). Every
 * read that decides on or shows a balance — the wallet state, a call's start, a usage report's
 * answer — subtracts it, so a $1 grant that expired at 12:00:00 stops authorising calls at
 * 12:00:00, not when the expiry worker (polling every `PREPAID_WORKER_POLL_MS`) gets to it.
 * The ledger's balance itself changes only when the `grant_expiry` entry is posted.
 *
 * A SQL expression over a wallets row aliased `wallet`: nothing to read unless the wallet has
 * granted credit (nearly none do), then the account's lapsed grants by the grants' account
 * index. `now()` is the transaction's instant, the one the usage batch's grant spends compare.
 */
export function lapsedGrantsSql(wallet: string): SQL {
  const w = sql.raw(wallet);
  return sql`(case when ${w}.granted_micros > 0
                then coalesce((select sum(lg.remaining_micros) from credit_grants lg
                               where lg.account_id = ${w}.account_id and lg.expired_at is null and lg.expires_at <= now()), 0)
                else 0 end)::bigint`;
}
