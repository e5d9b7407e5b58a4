import type { Micros } from "../../money/micros.js";
import { assert } from "../../errors/assert.js";

/** A grant that may be spent: not expired at the instant of spending, with credit left. */
export interface SpendableGrant {
  id: string;
  accountId: string;
  remainingMicros: Micros;
  /** null: never expires. */
  expiresAt: Date | null;
  createdAt: Date;
}

/** A debit to cover (a usage entry), positive. */
export interface Debit {
  entryId: string;
  accountId: string;
  amountMicros: Micros;
}

export interface GrantSpend {
  entryId: string;
  grantId: string;
  amountMicros: Micros;
}

/**
 * The burn order (docs/concepts.md): soonest-expiring first, a grant that never expires after every
 * one that does, then the older first, then by id, so two writers agree on the order.
 */
export function burnOrder(a: SpendableGrant, b: SpendableGrant): number {
  const ax = a.expiresAt?.getTime() ?? Infinity;
  const bx = b.expiresAt?.getTime() ?? Infinity;
  if (ax !== bx) return ax < bx ? -1 : 1;
  if (a.createdAt.getTime() !== b.createdAt.getTime()) return a.createdAt.getTime() - b.createdAt.getTime();
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Which grants the debits spend, in the debits' order: each takes from its account's grants
 * in burn order until it is covered or they are used up; what grants do not cover is paid
 * credit. Pure. Returns the spends and each grant's remainder after them (every grant
 * given, spent or not). The caller gives only grants spendable at the debits' instant.
 */
export function planGrantSpends(grants: readonly SpendableGrant[], debits: readonly Debit[]): { spends: GrantSpend[]; remainingMicros: Map<string, Micros> } {
  const byAccount = new Map<string, SpendableGrant[]>();
  for (const grant of [...grants].sort(burnOrder)) {
    assert(grant.remainingMicros >= 0n, `grant ${grant.id} has a remainder of at least 0`);
    byAccount.set(grant.accountId, [...(byAccount.get(grant.accountId) ?? []), grant]);
  }
  const remainingMicros = new Map(grants.map((g) => [g.id, g.remainingMicros]));
  const spends: GrantSpend[] = [];
  for (const debit of debits) {
    assert(debit.amountMicros > 0n, "a debit to cover is positive");
    let due = debit.amountMicros;
    for (const grant of byAccount.get(debit.accountId) ?? []) {
      if (due === 0n) break;
      const left = remainingMicros.get(grant.id)!;
      if (left === 0n) continue;
      const take = left < due ? left : due;
      spends.push({ entryId: debit.entryId, grantId: grant.id, amountMicros: take });
      remainingMicros.set(grant.id, left - take);
      due -= take;
    }
  }
  return { spends, remainingMicros };
}
