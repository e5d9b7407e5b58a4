import type { Micros } from "../money/micros.js";
import { assert } from "../errors/assert.js";

/** What a posting needs of an entry to place it: whose wallet, by how much, under which key. */
export interface Movement {
  accountId: string;
  /** Signed: credits are positive, debits negative; never zero. */
  amountMicros: Micros;
  entryKey: string;
}

export interface PostingPlan {
  /** Each entry's wallet balance right after it, in the order given. */
  balancesAfterMicros: Micros[];
  /** Each wallet that moves, in account order, by the sum of its entries. */
  walletMoves: Array<{ accountId: string; deltaMicros: Micros; afterMicros: Micros }>;
}

/**
 * Places entries on locked wallets, in order: each entry's balance-after is its wallet's
 * balance before plus every amount up to and including it. Pure. A wallet that is not
 * locked, an entry that moves nothing or a key posted twice in one posting is a bug.
 */
export function planPosting(balancesBeforeMicros: ReadonlyMap<string, Micros>, entries: readonly Movement[]): PostingPlan {
  const running = new Map<string, Micros>();
  const keys = new Set<string>();
  const balancesAfterMicros = entries.map((entry) => {
    const before = running.get(entry.accountId) ?? balancesBeforeMicros.get(entry.accountId);
    assert(before !== undefined, `wallet ${entry.accountId} is locked before it is posted to`);
    assert(entry.amountMicros !== 0n, "a ledger entry moves money");
    assert(!keys.has(entry.entryKey), `entry key ${entry.entryKey} posted twice in one posting`);
    keys.add(entry.entryKey);
    const after = before + entry.amountMicros;
    running.set(entry.accountId, after);
    return after;
  });
  const walletMoves = [...running.keys()]
    .sort()
    .map((accountId) => {
      const afterMicros = running.get(accountId)!;
      return { accountId, deltaMicros: afterMicros - balancesBeforeMicros.get(accountId)!, afterMicros };
    })
    // Entries that cancel out leave their wallet where it was: nothing to write.
    .filter((move) => move.deltaMicros !== 0n);
  return { balancesAfterMicros, walletMoves };
}
