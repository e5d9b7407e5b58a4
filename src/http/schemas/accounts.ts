import { z } from "@hono/zod-openapi";
import type { Account } from "../../accounts/accounts.js";
import { RISKS, type SearchTotals } from "../../billing/status/account-risks.js";
import { MAX_ROTATION_GRACE_SECONDS } from "../../accounts/api-keys.js";
import type { WalletState } from "../../billing/status/wallet-state.js";
import { formatMicros, type Micros } from "../../money/micros.js";
import { minutesAvailable, runwayHours } from "../../money/rating.js";
import { AutoRechargeOut, autoRechargeOut } from "./billing.js";
import { Money } from "./money.js";
import { DEFAULT_PLAN_ID } from "../../billing/pricing.js";
import { EXAMPLES } from "./examples.js";
import { PageQuery } from "./common.js";

const Email = z.email().max(254);

export const AccountOut = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(["user", "agency", "subaccount"]),
    parent_id: z.string().nullable(),
    web_widget: z.boolean(),
    email: z.string().nullable().openapi({ description: "where receipts and failure notices are emailed" }),
    status: z.enum(["active", "paused"]),
    balance: Money,
    granted_balance: Money.openapi({
      description: "the part of `balance` that is credit granted by the operator and not yet expired: calls spend it first (`GET …/grants`); thresholds, minutes and holds use the whole balance",
    }),
    rate_per_minute: Money.openapi({ description: "what a call started now pays a minute: the account's plan's rate for its Web Widget setting, or its agency's resale rate" }),
    rates_per_minute: z
      .object({ web_widget: Money, default: Money })
      .openapi({ description: "what a call started now would pay a minute with the Web Widget on and off: what turning the switch changes" }),
    price_plan_id: z.string().openapi({ description: "its price plan (`pln_default`: the built-in rates); while its agency resells, a subaccount pays the agency's rate instead" }),
    minutes_available: z.string().openapi({ example: "311.33", description: "balance ÷ current rate, 2 decimals, rounded down" }),
    runway_hours: z.number().nullable().openapi({
      example: 76.3,
      description: "hours the balance lasts at the pace of the last 24 hours' calls (1 decimal, rounded down); null with no calls in that time",
    }),
    active_calls: z.number().int().openapi({ description: "calls running now" }),
    max_concurrent_calls: z.number().int().nullable().openapi({ description: "calls it may run at once (set by the operator); null: unlimited" }),
    held: Money.openapi({ description: "credit held by the running calls (each holds a minute at its rate by default): a new call may use the balance beyond it" }),
    auto_recharge: AutoRechargeOut,
    created_at: z.string(),
  })
  .openapi("Account", { example: EXAMPLES.Account });

/** An account in a watch list (an agency's subaccounts, the operator's console): the account and why it is at risk. */
export const AccountSummaryOut = AccountOut.extend({
  risks: z.array(z.enum(RISKS)).openapi({
    description:
      "Why it may soon stop taking calls: `paused`; `payment_failing` (Auto-Recharge's card failed); `limit_reached` (Auto-Recharge held back by a limit); `unprotected_below_threshold` (below its threshold with Auto-Recharge off); `low_minutes` (under 30 minutes of calls and no healthy Auto-Recharge). Empty when none.",
  }),
}).openapi("AccountSummary", { example: EXAMPLES.AccountSummary });

/** The filters and sort of a watch list. */
export const AccountSearchQuery = PageQuery.extend({
  q: z.string().trim().min(1).max(100).optional().openapi({ description: "part of the name (any case), or an exact account id" }),
  risk: z.enum([...RISKS, "any"]).optional().openapi({ description: "only accounts with this risk, or with any" }),
  sort: z.enum(["created", "name", "balance"]).default("created").openapi({ description: "`created`: newest first; `name`: A–Z; `balance`: lowest first" }),
});

/** A page of a watch list, with totals over every match (not the page). */
export const AccountListOut = z
  .object({
    data: z.array(AccountSummaryOut),
    next_cursor: z.string().nullable(),
    totals: z.object({
      count: z.number().int(),
      balance: Money.openapi({ description: "the sum of the matches' balances" }),
      at_risk: z.number().int().openapi({ description: "how many of the matches have a risk" }),
    }),
  })
  .openapi("AccountList", { example: { data: [EXAMPLES.AccountSummary], next_cursor: null, totals: { count: 1, balance: "37.412500", at_risk: 0 } } });

export const accountTotalsOut = (t: SearchTotals) => ({ count: t.count, balance: formatMicros(t.balanceMicros), at_risk: t.atRisk });

/** /v1/me: the account, and what the credential asking may do there (the dashboard shows only the controls it may use). */
export const MeOut = AccountOut.extend({
  credential: z
    .object({
      type: z.enum(["api_key", "session"]),
      scope: z.enum(["full", "read", "usage"]).openapi({ description: "an owner session acts as `full`, a viewer session as `read`" }),
      id: z.string().openapi({ description: "the key's id (`key_…`) or the session's (`ses_…`): a page can tell the key it is signed in with" }),
    })
    .openapi({ description: "The credential of this request: an API key or a Payments-page session, and its scope" }),
}).openapi("Me", { example: EXAMPLES.Me });

/**
 * The account as the API shows it; `state` is its wallet state read in the same request,
 * `burnLast24hMicros` what its calls of the last 24 hours cost (for the runway).
 */
export function accountOut(account: Account, state: WalletState, burnLast24hMicros: Micros): z.infer<typeof AccountOut> {
  const rate = state.ratePerMinuteMicros;
  return {
    id: account.id,
    name: account.name,
    type: account.type,
    parent_id: account.parentId,
    web_widget: account.webWidget,
    email: account.email,
    status: state.status,
    balance: formatMicros(state.balanceMicros),
    granted_balance: formatMicros(state.grantedMicros),
    rate_per_minute: formatMicros(rate),
    rates_per_minute: { web_widget: formatMicros(state.rates.webWidgetMicros), default: formatMicros(state.rates.defaultMicros) },
    price_plan_id: account.pricePlanId ?? DEFAULT_PLAN_ID,
    minutes_available: minutesAvailable(state.balanceMicros, rate),
    runway_hours: runwayHours(state.balanceMicros, burnLast24hMicros),
    active_calls: state.activeCalls,
    max_concurrent_calls: state.maxConcurrentCalls,
    held: formatMicros(state.heldMicros),
    auto_recharge: autoRechargeOut(state),
    created_at: account.createdAt,
  };
}

export const CreateAccountIn = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: z.enum(["user", "agency", "subaccount"]),
    parent_id: z.string().max(100).optional(),
    web_widget: z.boolean().optional(),
    email: Email.optional(),
  })
  .strict()
  .openapi("CreateAccount", { example: EXAMPLES.CreateAccount });

export const PatchAccountIn = z
  .object({
    web_widget: z.boolean().optional(),
    email: Email.nullable().optional(),
    max_concurrent_calls: z.number().int().min(0).max(100_000).nullable().optional().openapi({
      description: "operator only: calls the account may run at once (0 stops new calls); null: unlimited",
    }),
    price_plan_id: z.string().min(1).max(100).optional().openapi({
      description: "operator only: the account's price plan (`pln_default`: the built-in rates); calls started afterwards pay its rates",
    }),
  })
  .strict()
  .refine((body) => body.web_widget !== undefined || body.email !== undefined || body.max_concurrent_calls !== undefined || body.price_plan_id !== undefined, {
    error: "give web_widget, email, max_concurrent_calls or price_plan_id",
  })
  .openapi("PatchAccount", { example: EXAMPLES.PatchAccount });

export const ApiKeyRecordOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    name: z.string().nullable(),
    scope: z.enum(["full", "read", "usage"]),
    prefix: z.string().openapi({ description: "the key's first 12 characters, to tell keys apart" }),
    created_at: z.string(),
    last_used_at: z.string().nullable().openapi({ description: "to the minute" }),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi("ApiKeyRecord", { example: EXAMPLES.ApiKeyRecord });

export const ApiKeyOut = ApiKeyRecordOut.extend({ key: z.string().openapi({ description: "shown once" }) }).openapi("ApiKey", { example: EXAMPLES.ApiKey });

export const CreateApiKeyIn = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    scope: z.enum(["full", "read", "usage"]).optional(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi("CreateApiKey", { example: EXAMPLES.CreateApiKey });

export const RotateApiKeyIn = z
  .object({ grace_seconds: z.number().int().min(0).max(MAX_ROTATION_GRACE_SECONDS).optional() })
  .strict()
  .openapi("RotateApiKey", { example: EXAMPLES.RotateApiKey });
