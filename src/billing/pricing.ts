import { sql, type SQL } from "drizzle-orm";
import type { Config } from "../config/config.js";
import type { Micros } from "../money/micros.js";

/**
 * Who pays what per minute (docs/plans.md). One owner of the rule: every place that needs an
 * account's rate (a call's start, the wallet's views, the balance rules) reads the columns of
 * `pricingJoin` and calls `accountPrice`.
 */

/** The two rates of a plan or of an agency's resale: with the Web Widget on, and without. */
export interface Rates {
  webWidgetMicros: Micros;
  defaultMicros: Micros;
}

/** The id the built-in default plan (the configured rates) answers to; accounts store null for it. */
export const DEFAULT_PLAN_ID = "pln_default";

export function defaultPlanRates(rates: Config["rates"]): Rates {
  return { webWidgetMicros: rates.withWidgetMicros, defaultMicros: rates.withoutWidgetMicros };
}

/** The rate of `rates` for an account whose Web Widget is on or off. */
export function rateFor(rates: Rates, webWidget: boolean): Micros {
  return webWidget ? rates.webWidgetMicros : rates.defaultMicros;
}

export interface PricingInputs {
  webWidget: boolean;
  /** The account's plan's rates; null: the default plan. */
  plan: Rates | null;
  /** Its agency, when it is a subaccount: the agency's plan and its resale rates (null: it does not resell). */
  agency: { id: string; plan: Rates | null; resale: Rates | null } | null;
}

export interface AccountPrice {
  /** What the account pays a minute: its plan's rate, or its agency's resale rate. */
  ratePerMinuteMicros: Micros;
  /** For a rebilled subaccount: the agency, and its margin a minute over its own plan's rate. */
  margin: { accountId: string; ratePerMinuteMicros: Micros } | null;
}

/**
 * An account's price now. A subaccount whose agency resells pays the resale rate, and the
 * agency earns the resale rate less its own plan's rate (the platform's price to it); its own
 * plan, if the operator gave it one, applies only while its agency does not resell. Everyone
 * else pays its plan's rate. Pure.
 */
export function accountPrice(defaults: Config["rates"], p: PricingInputs): AccountPrice {
  if (p.agency?.resale) {
    const rate = rateFor(p.agency.resale, p.webWidget);
    const agencyCost = rateFor(p.agency.plan ?? defaultPlanRates(defaults), p.webWidget);
    // Resale rates are checked ≥ the agency's plan when set; a plan raised above them later
    // leaves no margin rather than a negative one (the platform is still paid its rate).
    const margin = rate > agencyCost ? rate - agencyCost : 0n;
    return { ratePerMinuteMicros: rate, margin: { accountId: p.agency.id, ratePerMinuteMicros: margin } };
  }
  return { ratePerMinuteMicros: rateFor(p.plan ?? defaultPlanRates(defaults), p.webWidget), margin: null };
}

/**
 * The margin part of a rebilled call's cumulative cost at `seconds`: rounded down, so the
 * platform's part (cost − margin) is never below the agency's plan cost — the µUSD of rounding
 * go to the platform — and, being monotone in seconds, each later report's share is ≥ 0.
 */
export function marginAt(seconds: number, marginRatePerMinuteMicros: Micros): Micros {
  return (BigInt(seconds) * marginRatePerMinuteMicros) / 60n;
}

/** What a report from `fromSeconds` to `toSeconds` of a rebilled call pays the agency. */
export function marginShare(fromSeconds: number, toSeconds: number, marginRatePerMinuteMicros: Micros): Micros {
  return marginAt(toSeconds, marginRatePerMinuteMicros) - marginAt(fromSeconds, marginRatePerMinuteMicros);
}

/** Resale rates are at least the agency's own plan's and at most ten times them (docs/plans.md). */
export const MAX_RESALE_FACTOR = 10n;

/** Which of the resale rates breaks the bounds against the agency's plan, if any. Pure. */
export function resaleOutOfBounds(resale: Rates, agencyPlan: Rates): { field: "web_widget" | "default"; min: Micros; max: Micros } | null {
  const checks = [
    { field: "web_widget" as const, rate: resale.webWidgetMicros, cost: agencyPlan.webWidgetMicros },
    { field: "default" as const, rate: resale.defaultMicros, cost: agencyPlan.defaultMicros },
  ];
  for (const c of checks) {
    if (c.rate < c.cost || c.rate > c.cost * MAX_RESALE_FACTOR) return { field: c.field, min: c.cost, max: c.cost * MAX_RESALE_FACTOR };
  }
  return null;
}

/** The columns `pricingJoin` adds, as the drivers return them. */
export interface PricingRow {
  plan_w: bigint | string | null;
  plan_d: bigint | string | null;
  agency_id: string | null;
  agency_plan_w: bigint | string | null;
  agency_plan_d: bigint | string | null;
  resale_w: bigint | string | null;
  resale_d: bigint | string | null;
}

/**
 * A lateral join adding the pricing columns of account alias `a` (its plan, its agency's plan
 * and resale): three primary-key lookups. Select `pr.*` or the columns by name.
 */
export function pricingJoin(a: string): SQL {
  const alias = sql.raw(a);
  return sql`left join lateral (
      select p.web_widget_rate_micros as plan_w, p.default_rate_micros as plan_d, ag.id as agency_id,
             agp.web_widget_rate_micros as agency_plan_w, agp.default_rate_micros as agency_plan_d,
             ag.resale_web_widget_rate_micros as resale_w, ag.resale_default_rate_micros as resale_d
      from (select 1) one
      left join price_plans p on p.id = ${alias}.price_plan_id
      left join accounts ag on ag.id = ${alias}.parent_id
      left join price_plans agp on agp.id = ag.price_plan_id
    ) pr on true`;
}

export const PRICING_COLUMNS = sql.raw("pr.plan_w, pr.plan_d, pr.agency_id, pr.agency_plan_w, pr.agency_plan_d, pr.resale_w, pr.resale_d");

function ratesOf(w: bigint | string | null, d: bigint | string | null): Rates | null {
  return w === null || d === null ? null : { webWidgetMicros: BigInt(w), defaultMicros: BigInt(d) };
}

/** What an account would pay a minute with the Web Widget on and off (its plan's, or its agency's resale rates): for the widget switch's "what changes". */
export function ratesFromRow(defaults: Config["rates"], row: PricingRow): Rates {
  return { webWidgetMicros: priceFromRow(defaults, true, row).ratePerMinuteMicros, defaultMicros: priceFromRow(defaults, false, row).ratePerMinuteMicros };
}

/** `accountPrice` of a row carrying the pricing columns. */
export function priceFromRow(defaults: Config["rates"], webWidget: boolean, row: PricingRow): AccountPrice {
  return accountPrice(defaults, {
    webWidget,
    plan: ratesOf(row.plan_w, row.plan_d),
    agency: row.agency_id === null ? null : { id: row.agency_id, plan: ratesOf(row.agency_plan_w, row.agency_plan_d), resale: ratesOf(row.resale_w, row.resale_d) },
  });
}

/**
 * `accountPrice`'s rate as a SQL expression over `pricingJoin`'s columns, for reads that
 * filter on it in the database (the watch list's `low_minutes`). The same rule; a test
 * compares the two on every kind of account.
 */
export function rateSql(a: string, defaults: Config["rates"]): SQL {
  const widget = sql.raw(`${a}.web_widget`);
  return sql`(case when pr.agency_id is not null and pr.resale_w is not null
                   then (case when ${widget} then pr.resale_w else pr.resale_d end)
                   else (case when ${widget} then coalesce(pr.plan_w, ${defaults.withWidgetMicros}::bigint) else coalesce(pr.plan_d, ${defaults.withoutWidgetMicros}::bigint) end)
              end)`;
}
