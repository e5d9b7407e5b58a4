import { pricingJoin, rateSql } from "../pricing.js";
import { sql, type SQL } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { queryRows, type Tx } from "../../db/database.js";
import { toIso } from "../../db/timestamps.js";
import { DEFAULT_SETTINGS } from "./wallet-state.js";
import type { Micros } from "../../money/micros.js";
import type { Account, AccountStatus, AccountType } from "../../accounts/accounts.js";

/**
 * Why an account may soon stop taking calls, for the agency's watch list and the operator's
 * console. The rule lives here once, in SQL, because the lists filter and count by it:
 * - `paused`: refused new calls after a failed payment;
 * - `payment_failing`: Auto-Recharge's card failed; nothing is charged automatically on it;
 * - `limit_reached`: Auto-Recharge held back by the daily count or the monthly limit;
 * - `unprotected_below_threshold`: below its threshold with Auto-Recharge off;
 * - `low_minutes`: under LOW_MINUTES of calls left at its rate, and no healthy Auto-Recharge to top it up.
 */
export const RISKS = ["paused", "payment_failing", "limit_reached", "unprotected_below_threshold", "low_minutes"] as const;
export type Risk = (typeof RISKS)[number];

// Half an hour of calls: one busy agent's session. Below it, a wallet nobody tops up runs dry
// before a person would notice a notice.
const LOW_MINUTES = 30n;

export type AccountSort = "created" | "name" | "balance";

/** Where a page of a sorted list ended: the last row's sort value (text) and id. */
export interface SortKey {
  value: string;
  id: string;
}

export interface AccountSearch {
  /** An agency's subaccounts; every account when absent (the operator). */
  parentId?: string | undefined;
  type?: AccountType | undefined;
  /** Part of the name, any case, or an exact account id. */
  query?: string | undefined;
  /** Only accounts with this risk, or with any. */
  risk?: Risk | "any" | undefined;
  sort: AccountSort;
  limit: number;
  after?: SortKey | undefined;
}

export interface FoundAccount {
  account: Account;
  risks: Risk[];
}

export interface SearchTotals {
  count: number;
  balanceMicros: Micros;
  atRisk: number;
}

/** The rows to search, each with its risks (the one definition of the rule above). */
function candidates(config: Config, search: AccountSearch): SQL {
  const enabled = sql`coalesce(s.enabled, false)`;
  const healthy = sql`(${enabled} and not coalesce(s.failing, false) and s.limit_reached is null)`;
  const filters: SQL[] = [];
  if (search.parentId !== undefined) filters.push(sql`a.parent_id = ${search.parentId}`);
  if (search.type !== undefined) filters.push(sql`a.type = ${search.type}`);
  if (search.query !== undefined) {
    // LIKE's own characters in the query are literal: "50%" finds "50%", not everything.
    const pattern = `%${search.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // Ids match from their start ("acct_3kX" finds acct_3kX9…): what a person pastes or types of one.
    const idPrefix = `${search.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(sql`(a.name ilike ${pattern} or a.id like ${idPrefix})`);
  }
  const where = filters.length ? sql`where ${sql.join(filters, sql` and `)}` : sql``;
  // A wallet's balance is a risk only for an account that makes calls: one with none in 30 days
  // (an agency's own wallet at $0, an account not yet in use) has nothing running dry. Read on
  // calls_account_started_idx, one probe per account.
  const calling = sql`exists (select 1 from calls cl where cl.account_id = a.id and cl.started_at > now() - interval '30 days')`;
  return sql`select a.id, a.name, a.type, a.parent_id, a.web_widget, a.status, a.email, a.max_concurrent_calls, a.price_plan_id, a.created_at, w.balance_micros,
                    array_remove(array[
                      case when a.status = 'paused' then 'paused' end,
                      case when coalesce(s.failing, false) then 'payment_failing' end,
                      case when ${enabled} and s.limit_reached is not null then 'limit_reached' end,
                      case when not ${enabled} and w.balance_micros < coalesce(s.threshold_micros, ${DEFAULT_SETTINGS.thresholdMicros}) and ${calling} then 'unprotected_below_threshold' end,
                      case when not ${healthy} and ${calling}
                             and w.balance_micros < ${LOW_MINUTES} * ${rateSql("a", config.rates)}
                           then 'low_minutes' end
                    ]::text[], null) as risks
             from accounts a
             join wallets w on w.account_id = a.id
             left join auto_recharge_settings s on s.account_id = a.id
             ${pricingJoin("a")}
             ${where}`;
}

function riskFilter(risk: AccountSearch["risk"]): SQL {
  if (risk === undefined) return sql``;
  return risk === "any" ? sql`where cardinality(c.risks) > 0` : sql`where ${risk} = any(c.risks)`;
}

/** Each sort: its key as text (for the cursor), the row comparison after a cursor, and the order. */
const SORTS: Record<AccountSort, { key: SQL; after: (k: SortKey) => SQL; order: SQL }> = {
  // Newest first, as the lists always were.
  created: {
    key: sql`((extract(epoch from c.created_at) * 1000000)::bigint)::text`,
    after: (k) => sql`(c.created_at, c.id) < ('epoch'::timestamptz + ${BigInt(k.value)}::bigint * interval '1 microsecond', ${k.id})`,
    order: sql`c.created_at desc, c.id desc`,
  },
  name: {
    key: sql`lower(c.name)`,
    after: (k) => sql`(lower(c.name), c.id) > (${k.value}, ${k.id})`,
    order: sql`lower(c.name), c.id`,
  },
  // Lowest first: the wallets closest to running dry lead.
  balance: {
    key: sql`c.balance_micros::text`,
    after: (k) => sql`(c.balance_micros, c.id) > (${BigInt(k.value)}::bigint, ${k.id})`,
    order: sql`c.balance_micros, c.id`,
  },
};

interface Row {
  id: string;
  name: string;
  type: AccountType;
  parent_id: string | null;
  web_widget: boolean;
  status: AccountStatus;
  email: string | null;
  max_concurrent_calls: number | null;
  price_plan_id: string | null;
  created_at: unknown;
  // Both drivers parse a text[] into an array.
  risks: Risk[];
  sort_key: string;
}

/** A page of accounts matching `search`, in its sort, each with its risks. */
export async function searchAccounts(tx: Tx, config: Config, search: AccountSearch): Promise<{ found: FoundAccount[]; next: SortKey | undefined }> {
  const sort = SORTS[search.sort];
  const filter = riskFilter(search.risk);
  const after = search.after ? sql`${search.risk === undefined ? sql`where` : sql`and`} ${sort.after(search.after)}` : sql``;
  const rows = await queryRows<Row>(
    tx,
    sql`select c.*, ${sort.key} as sort_key from (${candidates(config, search)}) c ${filter} ${after} order by ${sort.order} limit ${search.limit + 1}`,
  );
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    found: page.map((r) => ({
      account: { id: r.id, name: r.name, type: r.type, parentId: r.parent_id, webWidget: r.web_widget, status: r.status, email: r.email, maxConcurrentCalls: r.max_concurrent_calls, pricePlanId: r.price_plan_id, createdAt: toIso(r.created_at) },
      risks: r.risks,
    })),
    next: rows.length > search.limit && last ? { value: last.sort_key, id: last.id } : undefined,
  };
}

/** The whole match's count, balance and how many are at risk (the page shows totals, not a page's sums). */
export async function searchTotals(tx: Tx, config: Config, search: Omit<AccountSearch, "sort" | "limit" | "after">): Promise<SearchTotals> {
  const [row] = await queryRows<{ count: bigint | number; balance_micros: bigint | string | null; at_risk: bigint | number }>(
    tx,
    sql`select count(*) as count, coalesce(sum(c.balance_micros), 0)::bigint as balance_micros, count(*) filter (where cardinality(c.risks) > 0) as at_risk
        from (${candidates(config, { ...search, sort: "created", limit: 0 })}) c ${riskFilter(search.risk)}`,
  );
  return { count: Number(row?.count ?? 0), balanceMicros: BigInt(row?.balance_micros ?? 0), atRisk: Number(row?.at_risk ?? 0) };
}
