import { z } from "@hono/zod-openapi";
import type { Call } from "../../billing/calls/calls.js";
import type { UsageResult } from "../../billing/usage/usage-writer.js";
import type { CallRecord } from "../../billing/calls/call-history.js";
import type { ChargedCard, Recharge } from "../../billing/recharges/recharges.js";
import type { Refund } from "../../billing/reversals/refunds.js";
import type { Grant } from "../../billing/grants/grants.js";
import type { UsageDay } from "../../billing/usage/usage-summary.js";
import { DISPUTED_MESSAGE } from "../../billing/reversals/disputes.js";
import { autoRechargeState, type WalletState } from "../../billing/status/wallet-state.js";
import { formatCents, formatMicros, type Micros } from "../../money/micros.js";
import type { Notification } from "../../notifications/notify.js";
import { notificationTitle } from "../../notifications/words.js";
import type { PaymentMethod } from "../../billing/recharges/payment-methods.js";
import { AmountInput, Money } from "./money.js";
import { EXAMPLES } from "./examples.js";

// ---- payment methods
export const CardIn = z
  .object({
    card: z
      .object({
        number: z
          .string()
          .transform((s) => s.replace(/[\s-]/g, ""))
          .pipe(z.string().regex(/^\d{12,19}$/, { error: "must be 12 to 19 digits" })),
        exp_month: z.number().int().min(1).max(12),
        exp_year: z.number().int().min(2000).max(2100),
        cvc: z.string().regex(/^\d{3,4}$/, { error: "must be 3 or 4 digits" }),
      })
      .strict()
      .optional(),
    provider_payment_method: z.string().min(1).max(200).optional(),
    default: z.boolean().optional().openapi({ description: "make it the default card" }),
  })
  .strict()
  .openapi("NewPaymentMethod", { example: EXAMPLES.NewPaymentMethod });

export const PaymentMethodOut = z
  .object({
    id: z.string(),
    brand: z.string(),
    last4: z.string(),
    exp_month: z.number(),
    exp_year: z.number(),
    is_default: z.boolean(),
    created_at: z.string(),
  })
  .openapi("PaymentMethod", { example: EXAMPLES.PaymentMethod });

export const paymentMethodOut = (pm: PaymentMethod): z.infer<typeof PaymentMethodOut> => ({
  id: pm.id,
  brand: pm.brand,
  last4: pm.last4,
  exp_month: pm.expMonth,
  exp_year: pm.expYear,
  is_default: pm.isDefault,
  created_at: pm.createdAt,
});

export const SavedPaymentMethodOut = PaymentMethodOut.extend({
  replaced_payment_method_id: z.string().nullable().openapi({
    description: "The saved copy of the same card (same number at the provider) this one replaced and took the roles of — the default, the card Auto-Recharge charges — or null",
  }),
  triggered_recharge_id: z.string().nullable().openapi({
    description: "The recharge saving this card started at once (the retry of a failing Auto-Recharge on it), or null; `POST …/payment-methods/preview` says beforehand what it would be",
  }),
}).openapi("SavedPaymentMethod", { example: EXAMPLES.SavedPaymentMethod });

export const CardSavePreviewOut = z
  .object({
    will_charge: z.boolean(),
    amount: Money.nullable(),
    balance: Money,
    reason: z.string().nullable().openapi({ description: "why nothing would be charged: not_failing (Auto-Recharge is not failing), or a reason of the Auto-Recharge preview" }),
    message: z.string().openapi({ description: "the sentence to show before the user saves the card" }),
  })
  .openapi("CardSavePreview", { example: { will_charge: true, amount: "50.00", balance: "-2.120000", reason: null, message: "Saving this card makes it your default card and charges it $50.00 now to bring your balance back: your Auto-Recharge Amount." } });

// ---- recharges
export const RechargeOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    trigger: z.enum(["auto", "threshold_sync", "manual", "retry", "backup"]).openapi({ description: "`backup`: charged on the backup card right after an automatic charge was declined hard on the primary" }),
    amount: Money,
    status: z.enum(["pending", "processing", "succeeded", "failed"]),
    attempts: z.number(),
    payment_method_id: z.string(),
    card: z
      .object({ brand: z.string(), last4: z.string() })
      .nullable()
      .openapi({ description: "the card charged, as it was saved (also after it was removed); null only if its record is gone" }),
    failure_code: z.string().nullable(),
    failure_message: z.string().nullable(),
    refunded: Money.openapi({ description: "given back by refunds so far (those the provider confirmed)" }),
    created_at: z.string(),
    settled_at: z.string().nullable(),
    confirm_by: z
      .string()
      .nullable()
      .openapi({
        description:
          "Stripe's manual top-ups: the customer confirms the payment in the page (a bank may ask for 3-D Secure) by this time, through `POST …/recharges/{recharge}/authentication`; unconfirmed then, it is cancelled and fails as `payment_not_confirmed`, nothing charged. Null for a charge the service makes itself.",
      }),
  })
  .openapi("Recharge", { example: EXAMPLES.Recharge });

export const rechargeOut = (r: Recharge, card: ChargedCard | null, refundedMicros: Micros = 0n): z.infer<typeof RechargeOut> => ({
  id: r.id,
  account_id: r.accountId,
  trigger: r.trigger,
  amount: formatCents(r.amountMicros),
  status: r.status,
  attempts: r.attempts,
  payment_method_id: r.paymentMethodId,
  card,
  failure_code: r.failureCode,
  failure_message: r.failureMessage,
  refunded: formatCents(refundedMicros),
  created_at: r.createdAt,
  settled_at: r.settledAt,
  confirm_by: r.status === "pending" || r.status === "processing" ? r.confirmBy : null,
});

export const TopUpIn = z
  .object({
    amount: AmountInput,
    payment_method_id: z.string().max(100).optional(),
    on_session: z.boolean().optional().openapi({
      description:
        "Stripe: the customer confirms the payment in a page (Stripe.js; a bank may ask for 3-D Secure) instead of the service charging the saved card. Default: true from the Payments page's session, false with an API key (a platform's server charging a card its customer saved). Ignored by the sandbox.",
    }),
  })
  .strict()
  .openapi("TopUp", { example: EXAMPLES.TopUp });

// ---- auto-recharge
export const AutoRechargeIn = z
  .object({
    enabled: z.boolean().optional(),
    threshold: AmountInput.optional(),
    amount: AmountInput.optional().openapi({ description: "fixed mode: what each recharge charges" }),
    mode: z.enum(["fixed", "target"]).optional().openapi({ description: "`fixed` (default): charge `amount`; `target`: charge what lifts the balance to `target`" }),
    target: AmountInput.optional().openapi({ description: "target mode: the balance each recharge lifts to; above the threshold" }),
    monthly_limit: AmountInput.nullable().optional(),
    payment_method_id: z.string().max(100).nullable().optional(),
    backup_payment_method_id: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: "another saved card, charged once at once when an automatic charge on the first is declined hard; null: none" }),
    consent: z
      .object({
        text: z.string().min(10).max(1000).openapi({ description: "the exact sentence the customer agreed to" }),
        ip: z.string().max(64).optional(),
        user_agent: z.string().max(500).optional(),
      })
      .strict()
      .optional()
      .openapi({
        description:
          "Consent to automatic charges, recorded when this save turns Auto-Recharge on or changes what, where or when it charges. A Payments-page session sends the sentence it showed (its address and browser come from the request); an API key may send the customer's own, and is recorded as the attester; without one the key's own save is recorded with the sentence the page would show.",
      }),
  })
  .strict()
  .openapi("AutoRechargeSettingsInput", { example: EXAMPLES.AutoRechargeSettingsInput });

export const ConsentOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    text: z.string(),
    actor: z.object({ type: z.enum(["api_key", "session", "operator"]), id: z.string() }).openapi({ description: "who attested it: the Payments-page session the customer used, or the API key that sent it" }),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    terms: z.object({
      display_name: z.string(),
      card: z.string(),
      mode: z.enum(["fixed", "target"]),
      amount: Money,
      target: Money.nullable(),
      threshold: Money,
      monthly_limit: Money.nullable(),
      backup_card: z.string().nullable(),
    }),
    created_at: z.string(),
  })
  .openapi("Consent", {
    example: {
      id: "cns_3kX9pQ2mZ7rT1vB8nW4y",
      account_id: "acct_3kX9pQ2mZ7rT1vB8nW4y",
      text: "I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00, at most $200.00 a month.",
      actor: { type: "session", id: "ses_8iO1pA3sD5fG7hJ9kL2z" },
      ip: "203.0.113.7",
      user_agent: "Mozilla/5.0",
      terms: { display_name: "Acme Voice", card: "Visa •••• 4242", mode: "fixed", amount: "25.00", target: null, threshold: "10.00", monthly_limit: "200.00", backup_card: null },
      created_at: "2026-11-24T20:13:32.405Z",
    },
  });

export const AutoRechargeOut = z
  .object({
    enabled: z.boolean(),
    threshold: Money,
    amount: Money,
    mode: z.enum(["fixed", "target"]),
    target: Money.nullable().openapi({ description: "target mode's balance to reach; null when none was set" }),
    monthly_limit: Money.nullable(),
    payment_method_id: z.string().nullable().openapi({ description: "the chosen card; null charges the default card" }),
    card: z.object({ id: z.string(), brand: z.string(), last4: z.string() }).nullable().openapi({ description: "the card a charge would use now" }),
    backup_payment_method_id: z.string().nullable().openapi({ description: "the backup card: charged once when an automatic charge on `card` is declined hard" }),
    backup_card: z.object({ id: z.string(), brand: z.string(), last4: z.string() }).nullable(),
    state: z.enum(["off", "idle", "recharging", "failing"]),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    limit_reached: z.enum(["daily_count", "monthly_limit"]).nullable(),
    in_flight_recharge_id: z.string().nullable(),
  })
  .openapi("AutoRechargeSettings", { example: EXAMPLES.AutoRechargeSettings });

export function autoRechargeOut(state: WalletState): z.infer<typeof AutoRechargeOut> {
  const s = state.settings;
  return {
    enabled: s.enabled,
    threshold: formatCents(s.thresholdMicros),
    amount: formatCents(s.amountMicros),
    mode: s.mode,
    target: s.targetMicros === null ? null : formatCents(s.targetMicros),
    monthly_limit: s.monthlyLimitMicros === null ? null : formatCents(s.monthlyLimitMicros),
    payment_method_id: s.paymentMethodId,
    card: state.card ? { id: state.card.id, brand: state.card.brand, last4: state.card.last4 } : null,
    backup_payment_method_id: state.backupCard ? state.backupCard.id : null,
    backup_card: state.backupCard ? { id: state.backupCard.id, brand: state.backupCard.brand, last4: state.backupCard.last4 } : null,
    state: autoRechargeState(state),
    failure: s.failing
      ? { code: s.failureCode ?? "unknown", message: s.failureMessage ?? "payment failed" }
      : state.disputedCardIds.length > 0
        ? { code: "disputed", message: DISPUTED_MESSAGE }
        : null,
    limit_reached: s.limitReached,
    in_flight_recharge_id: state.inFlight?.id ?? null,
  };
}

// A union with null, not RechargeOut.nullable(): that wrapper kept the "Recharge" component name and made the
// component itself nullable, so every list of recharges read as "Recharge | null" in the document.
export const SaveAutoRechargeOut = AutoRechargeOut.extend({ triggered_recharge: z.union([RechargeOut, z.null()]) }).openapi("SavedAutoRechargeSettings", { example: EXAMPLES.SavedAutoRechargeSettings });

export const PreviewOut = z
  .object({
    will_charge: z.boolean(),
    amount: Money.nullable(),
    card: z.object({ id: z.string(), brand: z.string(), last4: z.string() }).nullable(),
    balance: Money,
    threshold: Money,
    reason: z.string().nullable().openapi({ description: "why nothing would be charged: disabled, above_threshold, in_flight, card_failing, no_card, daily_count, monthly_limit" }),
    consent_text: z.string().nullable().openapi({ description: "the sentence the customer agrees to before saving (send it back as `consent.text`); null when the change needs no consent" }),
    message: z.string(),
  })
  .openapi("AutoRechargePreview", { example: EXAMPLES.AutoRechargePreview });

// ---- calls and usage
export const StartCallIn = z
  .object({
    account_id: z.string().min(1).max(100),
    call_id: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, { error: "1 to 100 letters, digits or _ . : -" })
      .optional(),
  })
  .strict()
  .openapi("StartCall", { example: { account_id: "acct_3kX9pQ2mZ7rT1vB8nW4y", call_id: "twilio-CA42f0" } });

export const CallOut = z
  .object({
    call_id: z.string(),
    account_id: z.string(),
    rate_per_minute: Money.openapi({ description: "fixed for this call when it starts" }),
    max_seconds: z.number().openapi({ description: "the seconds the balance pays for now; end the call by then unless usage reports say continue" }),
    status: z.enum(["active", "ended"]),
  })
  .openapi("Call", {
    example: { call_id: "twilio-CA42f0", account_id: "acct_3kX9pQ2mZ7rT1vB8nW4y", rate_per_minute: "0.16", max_seconds: 4500, status: "active" },
  });

export const callOut = (call: Call, maxSeconds: number): z.infer<typeof CallOut> => ({
  call_id: call.id,
  account_id: call.accountId,
  rate_per_minute: formatMicros(call.ratePerMinuteMicros),
  max_seconds: maxSeconds,
  status: call.status,
});

export const CallRecordOut = z
  .object({
    id: z.string(),
    status: z.enum(["active", "ended"]),
    rate_per_minute: Money.openapi({ description: "fixed for this call when it started" }),
    billed_seconds: z.number().int().openapi({ description: "the seconds billed so far: the call's reports folded into one figure" }),
    amount: Money.openapi({ description: "charged for the call so far, exact (the sum of its `usage` entries)" }),
    started_at: z.string(),
    ended_at: z.string().nullable(),
    ended_by: z.enum(["report", "idle_timeout", "provider", "refused"]).nullable().openapi({
      description:
        "`report`: its final report; `idle_timeout`: no report for `PREPAID_CALL_IDLE_TIMEOUT`, ended at its last reported seconds; `provider`: its voice provider's end event (or a lookup) billed it by the provider's duration; `refused`: a provider's call prepaid did not authorise, hung up at the provider with nothing billed; null while it runs",
    }),
    source: z.enum(["api", "twilio", "vapi", "retell"]).openapi({ description: "`api`: started with `POST /v1/calls`; otherwise the voice provider whose webhooks prepaid took it from" }),
    provider_call_id: z.string().nullable().openapi({ description: "the provider's own id of the call (null for `api`)" }),
    provider_duration_seconds: z.number().int().nullable().openapi({ description: "the duration the provider counted, once it ended: the final bill follows it" }),
    refused_reason: z.string().nullable().openapi({ description: "why prepaid refused the provider's call (`account_paused`, `insufficient_credit`, `concurrency_limited`)" }),
  })
  .openapi("CallRecord", { example: EXAMPLES.CallRecord });

export const callRecordOut = (call: CallRecord): z.infer<typeof CallRecordOut> => ({
  id: call.id,
  status: call.status,
  rate_per_minute: formatMicros(call.ratePerMinuteMicros),
  billed_seconds: call.billedSeconds,
  amount: formatMicros(call.billedMicros),
  started_at: call.startedAt,
  ended_at: call.endedAt,
  ended_by: call.endedBy,
  source: call.source,
  provider_call_id: call.providerCallId,
  provider_duration_seconds: call.providerDurationSeconds,
  refused_reason: call.refusedReason,
});

const ElapsedSeconds = z.number().int().min(0).max(7 * 86_400);

export const UsageIn = z
  .object({ elapsed_seconds: ElapsedSeconds.openapi({ description: "cumulative since the call started: a repeated or late report bills nothing twice" }) })
  .strict()
  .openapi("UsageReport", { example: { elapsed_seconds: 95 } });

export const BatchUsageIn = z
  .object({
    events: z
      .array(z.object({ call_id: z.string().min(1).max(100), elapsed_seconds: ElapsedSeconds, final: z.boolean().optional() }).strict())
      .min(1)
      .max(1000),
  })
  .strict()
  .openapi("UsageBatch", {
    example: {
      events: [
        { call_id: "twilio-CA42f0", elapsed_seconds: 95 },
        { call_id: "twilio-CA9b11", elapsed_seconds: 300, final: true },
      ],
    },
  });

export const UsageOut = z
  .object({
    call_id: z.string(),
    billed_seconds: z.number(),
    amount: Money.openapi({ description: "debited by this report" }),
    call_total: Money,
    balance: Money,
    seconds_remaining: z.number().int().openapi({
      description: "how long the credit lasts if the account's running calls all go on: the balance and any recharge in flight at the sum of their rates; 0 once the call ended",
    }),
    action: z.enum(["continue", "wrap_up", "end_call"]).openapi({
      description: "`continue`; `wrap_up`: 60 s or less remain, close the conversation politely; `end_call`: nothing is left (or the call ended), hang up",
    }),
  })
  .openapi("UsageResult", {
    example: { call_id: "twilio-CA42f0", billed_seconds: 95, amount: "0.093334", call_total: "0.253334", balance: "11.746666", seconds_remaining: 4405, action: "continue" },
  });

export const usageOut = (r: UsageResult): z.infer<typeof UsageOut> => ({
  call_id: r.callId,
  billed_seconds: r.billedSeconds,
  amount: formatMicros(r.debitMicros),
  call_total: formatMicros(r.totalMicros),
  balance: formatMicros(r.balanceMicros),
  seconds_remaining: r.secondsRemaining,
  action: r.action,
});

// ---- notifications and usage summary
export const NotificationOut = z
  .object({
    id: z.string(),
    type: z.string(),
    title: z.string().openapi({ description: "The type in plain words, as an email's subject reads" }),
    account_id: z.string().openapi({ description: "the account it is about (a subaccount, in an agency's feed)" }),
    message: z.string(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    read: z.boolean(),
  })
  .openapi("Notification", { example: EXAMPLES.Notification });

export const notificationOut = (n: Notification): z.infer<typeof NotificationOut> => ({
  id: n.id,
  type: n.type,
  title: notificationTitle(n.type, n.data),
  account_id: n.subjectAccountId,
  message: n.message,
  data: n.data,
  created_at: n.createdAt,
  read: n.read,
});

export const UsageDayOut = z.object({ day: z.string(), seconds: z.number(), minutes: z.string(), calls: z.number(), cost: Money }).openapi("UsageDay", { example: EXAMPLES.UsageDay });

export const usageDayOut = (d: UsageDay): z.infer<typeof UsageDayOut> => ({
  day: d.day,
  seconds: d.seconds,
  minutes: (d.seconds / 60).toFixed(2),
  calls: d.calls,
  cost: formatMicros(d.costMicros),
});

// ---- refunds
export const RefundIn = z
  .object({
    amount: AmountInput.optional().openapi({ description: "USD, whole cents; without it, what is left of the charge" }),
    reason: z.string().trim().min(1).max(500),
  })
  .strict()
  .openapi("NewRefund", { example: EXAMPLES.NewRefund });

export const RefundOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    recharge_id: z.string(),
    amount: Money,
    reason: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]).openapi({
      description: "`pending` until the provider refunds it (the worker asks, and asks again while the outcome is unknown); `succeeded`: a `refund` entry took the amount off the balance, once",
    }),
    provider_refund_id: z.string().nullable(),
    failure_code: z.string().nullable(),
    failure_message: z.string().nullable(),
    created_at: z.string(),
    settled_at: z.string().nullable(),
  })
  .openapi("Refund", { example: EXAMPLES.Refund });

export const refundOut = (r: Refund): z.infer<typeof RefundOut> => ({
  id: r.id,
  account_id: r.accountId,
  recharge_id: r.rechargeId,
  amount: formatMicros(r.amountMicros),
  reason: r.reason,
  status: r.status,
  provider_refund_id: r.providerRefundId,
  failure_code: r.failureCode,
  failure_message: r.failureMessage,
  created_at: r.createdAt,
  settled_at: r.settledAt,
});

// ---- credit grants
export const GrantIn = z
  .object({
    amount: AmountInput.openapi({ description: "USD, whole cents, more than 0" }),
    reason: z.string().trim().min(1).max(500),
    category: z.enum(["promotional", "compensation"]).openapi({ description: "`promotional`: trial or campaign credit; `compensation`: credit for a dropped call or an outage" }),
    expires_at: z.iso.datetime({ offset: true }).optional().openapi({ description: "when what is left of it leaves the wallet (in the future); without it the grant never expires" }),
  })
  .strict()
  .openapi("NewGrant", { example: EXAMPLES.NewGrant });

export const GrantOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    category: z.enum(["promotional", "compensation"]),
    amount: Money,
    remaining: Money.openapi({ description: "what usage has not spent yet; 0.00 once expired" }),
    reason: z.string(),
    expires_at: z.string().nullable(),
    status: z.enum(["active", "spent", "expired"]).openapi({ description: "`spent`: usage took all of it; `expired`: its expiry ran (`expired` says what left the wallet then)" }),
    expired: Money.nullable().openapi({ description: "what left the wallet at expiry (a `grant_expiry` entry when above 0); null before" }),
    created_at: z.string(),
  })
  .openapi("Grant", { example: EXAMPLES.Grant });

/**
 * A grant as the API shows it at `now`: past its `expires_at` it is expired, with nothing
 * left, even before the expiry worker posts its entry (the balance stops counting it then too).
 */
export const grantOut = (g: Grant, now: Date): z.infer<typeof GrantOut> => {
  const lapsed = g.expiredAt === null && g.expiresAt !== null && g.expiresAt.getTime() <= now.getTime();
  return {
    id: g.id,
    account_id: g.accountId,
    category: g.category,
    amount: formatMicros(g.amountMicros),
    remaining: formatMicros(lapsed ? 0n : g.remainingMicros),
    reason: g.reason,
    expires_at: g.expiresAt?.toISOString() ?? null,
    status: g.expiredAt || lapsed ? "expired" : g.remainingMicros === 0n ? "spent" : "active",
    expired: lapsed ? formatMicros(g.remainingMicros) : g.expiredMicros === null ? null : formatMicros(g.expiredMicros),
    created_at: g.createdAt.toISOString(),
  };
};
