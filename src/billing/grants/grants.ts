import { and, desc, eq, sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { arrayLiteral } from "../../db/array-literal.js";
import { queryRows, type Tx } from "../../db/database.js";
import { createdBefore, microsOf, pageOf, type CreatedKey } from "../../db/keyset.js";
import { creditGrants } from "../../db/schema.js";
import { invalidField } from "../../errors/app-error.js";
import { assert } from "../../errors/assert.js";
import { newId } from "../../ids/prefixed-id.js";
import { postEntry, type PostedEntry } from "../../ledger/ledger.js";
import { logMoneyEvent } from "../../logging/money-events.js";
import { formatMicros, type Micros } from "../../money/micros.js";
import { afterBalanceChange } from "../recharges/auto-recharge.js";
import { planGrantSpends, type SpendableGrant } from "./grant-burn.js";

export type GrantCategory = "promotional" | "compensation";

export interface Grant {
  id: string;
  accountId: string;
  category: GrantCategory;
  amountMicros: Micros;
  remainingMicros: Micros;
  reason: string;
  expiresAt: Date | null;
  /** What the expiry took off the wallet, once it ran (null before). */
  expiredMicros: Micros | null;
  expiredAt: Date | null;
  createdAt: Date;
}

const grantFromRow = (row: typeof creditGrants.$inferSelect): Grant => ({ ...row });

/**
 * An operator's grant (docs/concepts.md), in the caller's transaction: a `grant` entry of its amount,
 * the grant with all of it remaining, and the wallet's granted credit raised by it. Like any
 * credit it may end a pause or a failure's consequences, so the balance rules run after it.
 * An expiry must be in the future.
 */
export async function issueGrant(
  tx: Tx,
  config: Config,
  accountId: string,
  input: { amountMicros: Micros; reason: string; category: GrantCategory; expiresAt: Date | null },
  now: Date,
): Promise<Grant> {
  if (input.amountMicros <= 0n) throw invalidField("amount", "a grant gives credit: more than 0.00");
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) throw invalidField("expires_at", "a grant's expiry is in the future");
  const id = newId("grt");
  // postEntry locks the wallet first: the lock order of every money path (wallet, then its grants).
  const { entry } = await postEntry(tx, { accountId, type: "grant", amountMicros: input.amountMicros, entryKey: `grant:${id}`, reason: input.reason });
  const [grant] = await tx
    .insert(creditGrants)
    .values({ id, accountId, category: input.category, amountMicros: input.amountMicros, remainingMicros: input.amountMicros, reason: input.reason, expiresAt: input.expiresAt })
    .returning();
  await tx.execute(sql`update wallets set granted_micros = granted_micros + ${input.amountMicros} where account_id = ${accountId}`);
  await afterBalanceChange(tx, config, accountId, entry.balanceAfterMicros - input.amountMicros, now);
  logMoneyEvent(tx, "grant.issued", { grant_id: id, account_id: accountId, amount: formatMicros(input.amountMicros), category: input.category });
  return grantFromRow(grant!);
}

/**
 * The grants a usage batch's entries spend (docs/concepts.md), on wallets it has locked: only the
 * accounts in `grantedAccounts` (granted credit above 0), whose grants not expired at the
 * transaction's instant (`now()`, the same instant the entries carry) are locked in burn
 * order and spent in the entries' order; each spend is recorded against its entry, and each
 * wallet's granted credit goes down by what it spent. One statement to read, one to write.
 */
export async function spendGrants(tx: Tx, entries: readonly PostedEntry[], grantedAccounts: ReadonlySet<string>): Promise<void> {
  const debits = entries.filter((e) => e.amountMicros < 0n && grantedAccounts.has(e.accountId)).map((e) => ({ entryId: e.id, accountId: e.accountId, amountMicros: -e.amountMicros }));
  if (debits.length === 0) return;
  const rows = await queryRows<{ id: string; account_id: string; remaining_micros: bigint; expires_at: Date | string | null; created_at: Date | string }>(
    tx,
    sql`select id, account_id, remaining_micros, expires_at, created_at from credit_grants
        where account_id = any(${arrayLiteral([...grantedAccounts].sort())}::text[])
          and expired_at is null and remaining_micros > 0 and (expires_at is null or expires_at > now())
        order by account_id, expires_at nulls last, created_at, id for update`,
  );
  const grants: SpendableGrant[] = rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    remainingMicros: BigInt(r.remaining_micros),
    expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
    createdAt: new Date(r.created_at),
  }));
  const { spends, remainingMicros } = planGrantSpends(grants, debits);
  if (spends.length === 0) return;
  const spentByAccount = new Map<string, Micros>();
  const accountOf = new Map(grants.map((g) => [g.id, g.accountId]));
  for (const s of spends) spentByAccount.set(accountOf.get(s.grantId)!, (spentByAccount.get(accountOf.get(s.grantId)!) ?? 0n) + s.amountMicros);
  const touched = [...new Set(spends.map((s) => s.grantId))].sort();
  const accounts = [...spentByAccount.keys()].sort();
  // Data-modifying CTEs run to completion whether or not the outer statement reads them.
  const [written] = await queryRows<{ grants: number; wallets: number; spends: number }>(
    tx,
    sql`with spent as (
          insert into grant_spends (entry_id, grant_id, amount_micros)
          select * from unnest(${arrayLiteral(spends.map((s) => s.entryId))}::text[], ${arrayLiteral(spends.map((s) => s.grantId))}::text[], ${arrayLiteral(spends.map((s) => s.amountMicros))}::bigint[])
          returning 1
        ), grants_left as (
          update credit_grants g set remaining_micros = t.remaining
          from unnest(${arrayLiteral(touched)}::text[], ${arrayLiteral(touched.map((id) => remainingMicros.get(id)!))}::bigint[]) as t(id, remaining)
          where g.id = t.id
          returning 1
        ), wallets_left as (
          update wallets w set granted_micros = w.granted_micros - t.spent
          from unnest(${arrayLiteral(accounts)}::text[], ${arrayLiteral(accounts.map((id) => spentByAccount.get(id)!))}::bigint[]) as t(account_id, spent)
          where w.account_id = t.account_id
          returning 1
        )
        select (select count(*) from grants_left)::int as grants, (select count(*) from wallets_left)::int as wallets, (select count(*) from spent)::int as spends`,
  );
  assert(
    written && written.spends === spends.length && written.grants === touched.length && written.wallets === accounts.length,
    `grant spends: ${spends.length} spends, ${touched.length} grants and ${accounts.length} wallets to write`,
  );
}

/**
 * A grant's expiry (docs/concepts.md), once, in the caller's transaction: what is left of it leaves
 * as one `grant_expiry` entry, and the wallet's granted credit goes down by it. Usage after
 * `expires_at` never spent it (spendGrants reads the instant), so a late run takes exactly
 * what was left at that instant. The balance fell like any debit: the balance rules run,
 * Auto-Recharge included (what remains is paid credit, as if the grant had never been).
 * Returns what it took, or null when the grant was expired already or is not due.
 */
export async function expireGrant(tx: Tx, config: Config, grantId: string, now: Date): Promise<Micros | null> {
  const [found] = await tx.select({ accountId: creditGrants.accountId }).from(creditGrants).where(eq(creditGrants.id, grantId));
  if (!found) return null;
  // The wallet first, then the grant: the order of every path that spends or gives grants.
  const [wallet] = await queryRows<{ balance_micros: bigint }>(tx, sql`select balance_micros from wallets where account_id = ${found.accountId} for update`);
  assert(wallet, `account ${found.accountId} has a wallet`);
  const [grant] = await queryRows<{ remaining_micros: bigint }>(
    tx,
    sql`select remaining_micros from credit_grants where id = ${grantId} and expired_at is null and expires_at <= now() for update`,
  );
  if (!grant) return null;
  const left = BigInt(grant.remaining_micros);
  if (left > 0n) {
    await postEntry(tx, { accountId: found.accountId, type: "grant_expiry", amountMicros: -left, entryKey: `grant_expiry:${grantId}`, reason: "granted credit expired" });
    await tx.execute(sql`update wallets set granted_micros = granted_micros - ${left} where account_id = ${found.accountId}`);
  }
  await tx.execute(sql`update credit_grants set remaining_micros = 0, expired_micros = ${left}, expired_at = now() where id = ${grantId}`);
  if (left > 0n) await afterBalanceChange(tx, config, found.accountId, BigInt(wallet.balance_micros), now);
  logMoneyEvent(tx, "grant.expired", { grant_id: grantId, account_id: found.accountId, expired: formatMicros(left) });
  return left;
}

/** Grants whose expiry is due and not yet applied, soonest first, at most `limit`. */
export async function dueGrants(tx: Tx, limit: number): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`select id from credit_grants where expired_at is null and expires_at <= now() order by expires_at limit ${limit}`,
  );
  return rows.map((r) => r.id);
}

/** An account's grants, newest first, cursor-paged. */
export async function listGrants(tx: Tx, accountId: string, limit: number, after: CreatedKey | undefined): Promise<{ grants: Grant[]; next: CreatedKey | undefined }> {
  const rows = await tx
    .select({ grant: creditGrants, createdMicros: microsOf(creditGrants.createdAt).mapWith(BigInt) })
    .from(creditGrants)
    .where(and(eq(creditGrants.accountId, accountId), createdBefore(creditGrants.createdAt, creditGrants.id, after)))
    .orderBy(desc(creditGrants.createdAt), desc(creditGrants.id))
    .limit(limit + 1);
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: last.createdMicros, id: last.grant.id }));
  return { grants: page.map((r) => grantFromRow(r.grant)), next };
}
