import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.js";
import type { CardRef } from "./wallet-state.js";

/**
 * A saved card of the account: the one asked for, or the default one when `paymentMethodId`
 * is null (a top-up without a card; settings that name none). Removed cards are not found.
 * (The card an automatic charge uses, the chosen one else the default, is read with the
 * wallet state, in the same query, for many accounts at once.)
 */
export async function findCard(tx: Tx, accountId: string, paymentMethodId: string | null): Promise<CardRef | null> {
  const [row] = await queryRows<{ id: string; brand: string; last4: string; exp_month: number; exp_year: number; provider_ref: string }>(
    tx,
    sql`select id, brand, last4, exp_month, exp_year, provider_ref from payment_methods
        where account_id = ${accountId} and deleted_at is null
          and ${paymentMethodId === null ? sql`is_default` : sql`id = ${paymentMethodId}`}`,
  );
  return row
    ? { id: row.id, brand: row.brand, last4: row.last4, expMonth: row.exp_month, expYear: row.exp_year, providerRef: row.provider_ref }
    : null;
}
