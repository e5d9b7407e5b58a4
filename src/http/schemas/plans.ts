import { z } from "@hono/zod-openapi";
import type { RecurringFee } from "../../billing/fees/fees.js";
import { nextCharge } from "../../billing/fees/fee-periods.js";
import type { PricePlan } from "../../billing/plans/plans.js";
import type { RebillingLine, Resale } from "../../billing/plans/resale.js";
import type { Rates } from "../../billing/pricing.js";
import { formatMicros } from "../../money/micros.js";
import { AmountInput, Money, RateInput } from "./money.js";

const RatesIn = z
  .object({ web_widget: RateInput, default: RateInput })
  .strict()
  .openapi({ description: "USD a minute with the Web Widget on (`web_widget`) and off (`default`)" });

const RatesOut = z.object({ web_widget: Money, default: Money }).openapi({ example: { web_widget: "0.16", default: "0.18" } });

export const ratesOut = (r: Rates) => ({ web_widget: formatMicros(r.webWidgetMicros), default: formatMicros(r.defaultMicros) });

export const PricePlanIn = z
  .object({
    name: z.string().trim().min(1).max(100),
    rate_per_minute: RatesIn,
    monthly_fee: AmountInput.optional().openapi({ description: "a monthly fee every account on the plan pays (whole cents); none when absent" }),
  })
  .strict()
  .openapi("PricePlanCreate", { example: { name: "Enterprise", rate_per_minute: { web_widget: "0.12", default: "0.14" }, monthly_fee: "49.00" } });

export const PricePlanOut = z
  .object({
    id: z.string().openapi({ description: "`pln_…`; the built-in default plan is `pln_default`" }),
    name: z.string(),
    rate_per_minute: RatesOut,
    monthly_fee: Money.nullable(),
    built_in: z.boolean().openapi({ description: "the default plan: the configured rates, every account without a plan of its own" }),
    created_at: z.string().nullable(),
  })
  .openapi("PricePlan", {
    example: { id: "pln_7hJ2kL9mN4bV6cX1zQ8w", name: "Enterprise", rate_per_minute: { web_widget: "0.12", default: "0.14" }, monthly_fee: "49.00", built_in: false, created_at: "2026-12-01T09:30:00.000Z" },
  });

export const pricePlanOut = (p: PricePlan): z.infer<typeof PricePlanOut> => ({
  id: p.id,
  name: p.name,
  rate_per_minute: ratesOut(p.rates),
  monthly_fee: p.monthlyFeeMicros === null ? null : formatMicros(p.monthlyFeeMicros),
  built_in: p.builtIn,
  created_at: p.createdAt ? p.createdAt.toISOString() : null,
});

export const ResaleIn = z
  .object({ rate_per_minute: RatesIn })
  .strict()
  .openapi("ResaleUpdate", { example: { rate_per_minute: { web_widget: "0.22", default: "0.25" } } });

export const ResaleOut = z
  .object({
    account_id: z.string(),
    rate_per_minute: RatesOut.nullable().openapi({ description: "what the agency's subaccounts pay a minute; null: it does not resell" }),
    cost_per_minute: RatesOut.openapi({ description: "what the agency pays a minute (its plan): the floor of its resale rates; 10× it is the ceiling" }),
  })
  .openapi("Resale", { example: { account_id: "acct_3kX9pQ2mZ7rT1vB8nW4y", rate_per_minute: { web_widget: "0.22", default: "0.25" }, cost_per_minute: { web_widget: "0.16", default: "0.18" } } });

export const resaleOut = (r: Resale): z.infer<typeof ResaleOut> => ({
  account_id: r.agencyId,
  rate_per_minute: r.rates ? ratesOut(r.rates) : null,
  cost_per_minute: ratesOut(r.cost),
});

export const RebillingQuery = z.object({
  months: z.coerce.number().int().min(1).max(24).default(3).openapi({ description: "calendar months (UTC) back from this one, this one included" }),
});

export const RebillingOut = z
  .object({
    data: z.array(
      z.object({
        month: z.string().openapi({ example: "2026-12" }),
        subaccount_id: z.string(),
        subaccount_name: z.string(),
        resale: Money.openapi({ description: "what the subaccount paid at the agency's prices (calls and the agency's fees)" }),
        cost: Money.openapi({ description: "the platform's part: calls at the agency's own plan rate" }),
        margin: Money.openapi({ description: "the agency's part, credited to its wallet as `rebilling_margin` entries" }),
        seconds: z.number().int(),
      }),
    ),
    totals: z.object({ resale: Money, cost: Money, margin: Money }),
  })
  .openapi("Rebilling", {
    example: {
      data: [{ month: "2026-12", subaccount_id: "acct_8wQ2nR5tY1uI3oP7aS9d", subaccount_name: "Dental clinic", resale: "25.000000", cost: "18.000000", margin: "7.000000", seconds: 6000 }],
      totals: { resale: "25.000000", cost: "18.000000", margin: "7.000000" },
    },
  });

export function rebillingOut(lines: RebillingLine[]): z.infer<typeof RebillingOut> {
  const sum = (pick: (l: RebillingLine) => bigint) => formatMicros(lines.reduce((total, l) => total + pick(l), 0n));
  return {
    data: lines.map((l) => ({
      month: l.month,
      subaccount_id: l.subaccountId,
      subaccount_name: l.subaccountName,
      resale: formatMicros(l.resaleMicros),
      cost: formatMicros(l.costMicros),
      margin: formatMicros(l.marginMicros),
      seconds: l.seconds,
    })),
    totals: { resale: sum((l) => l.resaleMicros), cost: sum((l) => l.costMicros), margin: sum((l) => l.marginMicros) },
  };
}

export const FeeIn = z
  .object({
    name: z.string().trim().min(1).max(100),
    amount: AmountInput,
    interval: z.literal("month").openapi({ description: "the only interval: a calendar month from the fee's creation" }),
  })
  .strict()
  .openapi("FeeCreate", { example: { name: "Phone number +1 415 555 0100", amount: "2.00", interval: "month" } });

export const FeeOut = z
  .object({
    id: z.string().openapi({ description: "`fee_…`" }),
    account_id: z.string(),
    name: z.string(),
    amount: Money,
    interval: z.literal("month"),
    set_by: z.enum(["operator", "agency", "plan"]).openapi({ description: "who set it: the operator, the account's agency (at its own price), or the account's price plan" }),
    periods_charged: z.number().int(),
    next_charge_at: z.string().nullable().openapi({ description: "the next period's start, when it is charged; null once stopped" }),
    stopped_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("Fee", {
    example: {
      id: "fee_2bN8vC4xZ6mL1kJ9hG3f",
      account_id: "acct_3kX9pQ2mZ7rT1vB8nW4y",
      name: "Phone number +1 415 555 0100",
      amount: "2.00",
      interval: "month",
      set_by: "operator",
      periods_charged: 1,
      next_charge_at: "2027-01-07T10:00:00.000Z",
      stopped_at: null,
      created_at: "2026-12-07T10:00:00.000Z",
    },
  });

export const feeOut = (f: RecurringFee): z.infer<typeof FeeOut> => ({
  id: f.id,
  account_id: f.accountId,
  name: f.name,
  amount: formatMicros(f.amountMicros),
  interval: f.interval,
  set_by: f.pricePlanId ? "plan" : f.margin ? "agency" : "operator",
  periods_charged: f.periodsCharged,
  next_charge_at: nextCharge(f)?.toISOString() ?? null,
  stopped_at: f.stoppedAt ? f.stoppedAt.toISOString() : null,
  created_at: f.createdAt.toISOString(),
});
