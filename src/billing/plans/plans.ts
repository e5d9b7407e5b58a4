import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import { queryRows, type Tx } from "../../db/database.js";
import { AppError, invalidField, notFound } from "../../errors/app-error.js";
import { newId } from "../../ids/prefixed-id.js";
import type { Micros } from "../../money/micros.js";
import { DEFAULT_PLAN_ID, defaultPlanRates, type Rates } from "../pricing.js";
import { createFee, stopFee } from "../fees/fees.js";

export interface PricePlan {
  id: string;
  name: string;
  rates: Rates;
  monthlyFeeMicros: Micros | null;
  /** The built-in default plan: the configured rates, no row of its own. */
  builtIn: boolean;
  createdAt: Date | null;
}

interface PlanRow {
  id: string;
  name: string;
  web_widget_rate_micros: bigint | string;
  default_rate_micros: bigint | string;
  monthly_fee_micros: bigint | string | null;
  created_at: Date | string;
}

const planFromRow = (r: PlanRow): PricePlan => ({
  id: r.id,
  name: r.name,
  rates: { webWidgetMicros: BigInt(r.web_widget_rate_micros), defaultMicros: BigInt(r.default_rate_micros) },
  monthlyFeeMicros: r.monthly_fee_micros === null ? null : BigInt(r.monthly_fee_micros),
  builtIn: false,
  createdAt: new Date(r.created_at),
});

/** The built-in default plan: the article's $0.16 / $0.18 unless the operator configured other rates. */
export function defaultPlan(config: Config): PricePlan {
  return { id: DEFAULT_PLAN_ID, name: "Default", rates: defaultPlanRates(config.rates), monthlyFeeMicros: null, builtIn: true, createdAt: null };
}

/** Plans are few (an operator's price list): at most this many, so the list needs no paging. */
export const MAX_PLANS = 500;

export async function createPlan(tx: Tx, input: { name: string; rates: Rates; monthlyFeeMicros: Micros | null }): Promise<PricePlan> {
  const [count] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from price_plans`);
  if (Number(count!.n) >= MAX_PLANS) throw new AppError("invalid_request", `at most ${MAX_PLANS} price plans`);
  const [row] = await queryRows<PlanRow>(
    tx,
    sql`insert into price_plans (id, name, web_widget_rate_micros, default_rate_micros, monthly_fee_micros)
        values (${newId("pln")}, ${input.name}, ${input.rates.webWidgetMicros}, ${input.rates.defaultMicros}, ${input.monthlyFeeMicros})
        returning *`,
  );
  return planFromRow(row!);
}

/** Every plan, the built-in default first, then oldest first. */
export async function listPlans(tx: Tx, config: Config): Promise<PricePlan[]> {
  const rows = await queryRows<PlanRow>(tx, sql`select * from price_plans order by created_at, id limit ${MAX_PLANS}`);
  return [defaultPlan(config), ...rows.map(planFromRow)];
}

/** A plan by id (`pln_default` is the built-in one); undefined when there is none. */
export async function findPlan(tx: Tx, config: Config, id: string): Promise<PricePlan | undefined> {
  if (id === DEFAULT_PLAN_ID) return defaultPlan(config);
  const [row] = await queryRows<PlanRow>(tx, sql`select * from price_plans where id = ${id}`);
  return row ? planFromRow(row) : undefined;
}

/** The plan an account is on (the default when it has none). */
export async function planOf(tx: Tx, config: Config, accountId: string): Promise<PricePlan> {
  const [row] = await queryRows<{ price_plan_id: string | null }>(tx, sql`select price_plan_id from accounts where id = ${accountId}`);
  if (!row) throw notFound("account");
  return row.price_plan_id ? (await findPlan(tx, config, row.price_plan_id))! : defaultPlan(config);
}

/**
 * Puts an account on a plan. Calls already running keep the rate they started with (fixed on
 * the call); calls started after this commit pay the new plan's. A plan's monthly fee follows
 * the account: the old plan's fee stops from its next period, the new plan's starts now
 * (its first period is charged at once, like any fee). The caller holds the wallet's lock
 * (updateAccount), so a start sees the old plan or the new one.
 */
export async function assignPlan(tx: Tx, config: Config, accountId: string, planId: string, now: Date): Promise<{ before: string; after: string }> {
  const plan = await findPlan(tx, config, planId);
  if (!plan) throw invalidField("price_plan_id", "no such price plan");
  const [row] = await queryRows<{ price_plan_id: string | null }>(tx, sql`select price_plan_id from accounts where id = ${accountId}`);
  if (!row) throw notFound("account");
  const before = row.price_plan_id ?? DEFAULT_PLAN_ID;
  if (before === plan.id) return { before, after: before };
  await tx.execute(sql`update accounts set price_plan_id = ${plan.builtIn ? null : plan.id} where id = ${accountId}`);
  const [planFee] = await queryRows<{ id: string }>(tx, sql`select id from recurring_fees where account_id = ${accountId} and price_plan_id is not null and stopped_at is null`);
  if (planFee) await stopFee(tx, accountId, planFee.id, now);
  if (plan.monthlyFeeMicros !== null) {
    await createFee(tx, config, { accountId, name: `Plan: ${plan.name}`, amountMicros: plan.monthlyFeeMicros, margin: null, pricePlanId: plan.id }, now);
  }
  return { before, after: plan.id };
}
