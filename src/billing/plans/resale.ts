import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { queryRows, type Tx } from "../../db/database.js";
import { AppError, invalidField, notFound } from "../../errors/app-error.js";
import { formatMicros, type Micros } from "../../money/micros.js";
import { resaleOutOfBounds, type Rates } from "../pricing.js";
import { planOf } from "./plans.js";

export interface Resale {
  agencyId: string;
  /** What its subaccounts pay a minute; null: it does not resell (they pay their own plans). */
  rates: Rates | null;
  /** What the agency pays the platform a minute: its plan's rates. */
  cost: Rates;
}

export async function getResale(tx: Tx, config: Config, agencyId: string): Promise<Resale> {
  const [row] = await queryRows<{ type: string; resale_web_widget_rate_micros: bigint | string | null; resale_default_rate_micros: bigint | string | null }>(
    tx,
    sql`select type, resale_web_widget_rate_micros, resale_default_rate_micros from accounts where id = ${agencyId}`,
  );
  if (!row) throw notFound("account");
  const cost = (await planOf(tx, config, agencyId)).rates;
  const rates =
    row.resale_web_widget_rate_micros === null || row.resale_default_rate_micros === null
      ? null
      : { webWidgetMicros: BigInt(row.resale_web_widget_rate_micros), defaultMicros: BigInt(row.resale_default_rate_micros) };
  return { agencyId, rates, cost };
}

/**
 * Sets (or, with null, ends) an agency's resale rates. Each must be at least the agency's own
 * plan's rate and at most ten times it. Subaccount calls started after this commit are
 * debited at them (a call's rate and margin are fixed at its start); running calls keep theirs.
 */
export async function setResale(tx: Tx, config: Config, agencyId: string, rates: Rates | null): Promise<{ before: Resale; after: Resale }> {
  const [account] = await queryRows<{ type: string }>(tx, sql`select type from accounts where id = ${agencyId} for update`);
  if (!account) throw notFound("account");
  if (account.type !== "agency") throw new AppError("invalid_request", "only an agency resells to subaccounts");
  const before = await getResale(tx, config, agencyId);
  if (rates) {
    const out = resaleOutOfBounds(rates, before.cost);
    if (out) throw invalidField(`rate_per_minute.${out.field}`, `must be between ${formatMicros(out.min)} (the agency's own rate) and ${formatMicros(out.max)} (10×) a minute`);
  }
  await tx.execute(
    sql`update accounts set resale_web_widget_rate_micros = ${rates?.webWidgetMicros ?? null}, resale_default_rate_micros = ${rates?.defaultMicros ?? null} where id = ${agencyId}`,
  );
  return { before, after: { ...before, rates } };
}

/** One subaccount's month at an agency's resale prices. */
export interface RebillingLine {
  month: string;
  subaccountId: string;
  subaccountName: string;
  /** What the subaccount paid: usage at resale rates and the agency's fees. */
  resaleMicros: Micros;
  /** What of it is the platform's (the agency's plan rate). */
  costMicros: Micros;
  /** What of it is the agency's: resale less cost. */
  marginMicros: Micros;
  seconds: number;
}

/** Months the rebilling view reads back at most. */
export const MAX_REBILLING_MONTHS = 24;

/**
 * The agency's rebilling by subaccount and month (UTC), newest month first, from the ledger's
 * rebilled debits (each carries its margin part): the same figures `prepaid verify` adds up.
 */
export async function rebillingReport(tx: Tx, agencyId: string, now: Date, months: number): Promise<RebillingLine[]> {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
  const rows = await queryRows<{ month: string; account_id: string; name: string; resale: bigint | string; margin: bigint | string; seconds: number | string }>(
    tx,
    sql`select to_char(date_trunc('month', e.created_at at time zone 'UTC'), 'YYYY-MM') as month, e.account_id, a.name,
               -sum(e.amount_micros)::bigint as resale, sum(e.margin_micros)::bigint as margin, coalesce(sum(e.seconds), 0)::bigint as seconds
        from accounts a
        join ledger_entries e on e.account_id = a.id
        where a.parent_id = ${agencyId} and e.margin_micros is not null and e.type in ('usage', 'fee') and e.created_at >= ${from}
        group by 1, 2, 3
        order by 1 desc, 3, 2`,
  );
  return rows.map((r) => {
    const resale = BigInt(r.resale);
    const margin = BigInt(r.margin);
    return { month: r.month, subaccountId: r.account_id, subaccountName: r.name, resaleMicros: resale, marginMicros: margin, costMicros: resale - margin, seconds: Number(r.seconds) };
  });
}
