import { z } from "@hono/zod-openapi";
import type { Account } from "../../accounts/accounts.js";
import { MAX_ROTATION_GRACE_SECONDS } from "../../accounts/api-keys.js";
import type { WalletState } from "../../billing/wallet-state.js";
import { formatMicros } from "../../money/micros.js";
import { minutesAvailable } from "../../money/rating.js";
import { AutoRechargeOut, autoRechargeOut } from "./billing.js";
import { Money } from "./money.js";
import { EXAMPLES } from "./examples.js";

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
    rate_per_minute: Money,
    minutes_available: z.string().openapi({ example: "311.33", description: "balance ÷ current rate, 2 decimals, rounded down" }),
    auto_recharge: AutoRechargeOut,
    created_at: z.string(),
  })
  .openapi("Account", { example: EXAMPLES.Account });

/** The account as the API shows it; `state` is its wallet state read in the same request. */
/** /v1/me: the account, and what the credential asking may do there (the dashboard shows only the controls it may use). */
export const MeOut = AccountOut.extend({
  credential: z
    .object({
      type: z.enum(["api_key", "session"]),
      scope: z.enum(["full", "read", "usage"]).openapi({ description: "an owner session acts as `full`, a viewer session as `read`" }),
    })
    .openapi({ description: "The credential of this request: an API key or a Payments-page session, and its scope" }),
}).openapi("Me", { example: EXAMPLES.Me });

export function accountOut(account: Account, state: WalletState): z.infer<typeof AccountOut> {
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
    rate_per_minute: formatMicros(rate),
    minutes_available: minutesAvailable(state.balanceMicros, rate),
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
  .object({ web_widget: z.boolean().optional(), email: Email.nullable().optional() })
  .strict()
  .refine((body) => body.web_widget !== undefined || body.email !== undefined, { error: "give web_widget or email" })
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
