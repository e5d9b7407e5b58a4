import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Tx } from "../../db/database.js";
import type { Config } from "../../config/config.js";
import { chargedCard } from "../../billing/recharges/recharges.js";
import { because, chargeExplanation } from "../../billing/recharges/charge-explanation.js";
import { keepSessionForCharge } from "../session-charge.js";
import { previewSettings, saveSettings, type SettingsPatch } from "../../billing/recharges/auto-recharge.js";
import { loadWalletState } from "../../billing/status/wallet-state.js";
import { formatCents, formatMicros } from "../../money/micros.js";
import { cardLabel } from "../../payments/card-label.js";
import { findAccount } from "../../accounts/accounts.js";
import { listConsents } from "../../billing/recharges/consent.js";
import { decodeCreatedCursor, encodeCreatedCursor } from "../cursor.js";
import { effectiveBranding } from "../../accounts/branding.js";
import { clientAddress } from "../client-address.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import type { WalletState } from "../../billing/status/wallet-state.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { idempotent } from "../idempotency.js";
import { AutoRechargeIn, AutoRechargeOut, autoRechargeOut, ConsentOut, PreviewOut, rechargeOut, SaveAutoRechargeOut } from "../schemas/billing.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, WRITE_FORBIDDEN, routeErrors, IdempotencyHeader, IdParam, jsonBody, jsonResponse, listOf, PageQuery, security } from "../schemas/common.js";

export const autoRechargeRoutes = new OpenAPIHono<AppEnv>();

const toPatch = (body: z.infer<typeof AutoRechargeIn>): SettingsPatch => ({
  enabled: body.enabled,
  thresholdMicros: body.threshold,
  amountMicros: body.amount,
  mode: body.mode,
  targetMicros: body.target,
  monthlyLimitMicros: body.monthly_limit,
  paymentMethodId: body.payment_method_id,
  backupPaymentMethodId: body.backup_payment_method_id,
});

/** The settings a save writes, as the API shows them: what the audit row compares. */
/** What the audit log keeps of the settings; `card` is the card a charge would use, in words (the id alone reads as nothing). */
function savedFields(state: WalletState) {
  const { enabled, threshold, amount, mode, target, monthly_limit, payment_method_id } = autoRechargeOut(state);
  const card = state.card ? cardLabel(state.card) : null;
  return {
    enabled,
    threshold,
    amount,
    mode,
    target,
    monthly_limit,
    payment_method_id,
    card: card && payment_method_id === null ? `the default card (${card})` : card,
    backup_card: state.backupCard ? cardLabel(state.backupCard) : null,
  };
}

autoRechargeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/auto-recharge",
    tags: ["auto-recharge"],
    summary: "Auto-Recharge settings and state",
    description:
      "`state` is `off`, `idle`, `recharging` (a charge in flight: `in_flight_recharge_id`) or `failing` (the last charge failed: `failure` says why and what to do). `limit_reached` names a daily count or monthly limit that holds charges back.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(AutoRechargeOut, "Settings and state"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { db, config } = c.get("deps");
    const state = await loadWalletState(db, config.rates, account.id);
    return c.json(autoRechargeOut(state!), 200);
  },
);

autoRechargeRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/accounts/{id}/auto-recharge",
    tags: ["auto-recharge"],
    summary: "Save settings (fields left out keep their value). Below the threshold, saving charges now (threshold sync)",
    description:
      "Threshold and amount are bounded by the operator's limits (PREPAID_* settings). When the balance is already below the new threshold, saving starts one charge at once (threshold sync) and answers it in `triggered_recharge`; preview it first with `POST …/auto-recharge/preview`. Enabling needs a valid card (`payment_method_required`).",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(AutoRechargeIn) },
    responses: { 200: jsonResponse(SaveAutoRechargeOut, "Saved settings, and the recharge saving started, if any"), ...routeErrors({ 400: "`payment_method_required` when enabling without a valid card; `invalid_request`: a threshold, amount or limit outside the operator's bounds", 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const deps = c.get("deps");
    const body = c.req.valid("json");
    const patch = toPatch(body);
    const { actor } = c.get("principal");
    return idempotent(c, 200, async (tx) => {
      const displayName = await consentDisplayName(tx, deps.config, id);
      // A session is the customer's own browser: where they agreed from is the request's. A key
      // speaks for its platform: it says where the customer agreed, or nothing.
      const fromBrowser = actor.type === "session";
      const consent = {
        text: body.consent?.text ?? null,
        actor,
        ip: fromBrowser ? clientAddress(c) : (body.consent?.ip ?? null),
        userAgent: fromBrowser ? (c.req.header("User-Agent")?.slice(0, 500) ?? null) : (body.consent?.user_agent ?? null),
        displayName,
      };
      const { before, state, triggered, consent: recorded } = await saveSettings(tx, deps.config, id, patch, deps.now(), consent);
      if (triggered) await keepSessionForCharge(tx, c);
      const changes = diffChanges(savedFields(before), savedFields(state));
      if (recorded) changes.consent = [null, recorded.text];
      await recordAudit(tx, auditSource(c), id, "auto_recharge.updated", changes);
      return { ...autoRechargeOut(state), triggered_recharge: triggered ? rechargeOut(triggered, await chargedCard(tx, triggered)) : null };
    });
  },
);

/** Who the customer authorises to charge them: the account's branding (its own, else its agency's), else the operator. */
async function consentDisplayName(tx: Tx, config: Config, accountId: string): Promise<string> {
  const account = await findAccount(tx, accountId);
  return (account && (await effectiveBranding(tx, account)).displayName) || config.operatorName;
}

const REASONS: Record<string, string> = {
  disabled: "Auto-Recharge is off.",
  above_threshold: "your balance is not below the threshold.",
  in_flight: "a charge is already in progress.",
  card_failing: "the card failed; add a new card to retry.",
  no_card: "there is no valid card to charge.",
  daily_count: "the daily limit of automatic charges is reached.",
  monthly_limit: "it would exceed your monthly limit.",
};

autoRechargeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/auto-recharge/preview",
    tags: ["auto-recharge"],
    summary: "What saving these settings would charge now, and to which card; writes nothing",
    description:
      "The same rule as saving, run without writing: `will_charge`, the `amount` and the `card`, or the `reason` nothing would be charged, and a sentence to show before the user confirms.",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(AutoRechargeIn) },
    responses: { 200: jsonResponse(PreviewOut, "The charge saving would make"), ...routeErrors({ 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const deps = c.get("deps");
    const patch = toPatch(c.req.valid("json"));
    return idempotent(c, 200, async (tx) => {
      const { state, decision, card, consentText } = await previewSettings(tx, deps.config, id, patch, deps.now(), await consentDisplayName(tx, deps.config, id));
      const charge = decision.action === "charge";
      return {
        will_charge: charge,
        amount: charge ? formatCents(decision.amountMicros) : null,
        card: card ? { id: card.id, brand: card.brand, last4: card.last4 } : null,
        balance: formatMicros(state.balanceMicros),
        threshold: formatCents(state.settings.thresholdMicros),
        reason: charge ? null : decision.reason,
        consent_text: consentText,
        message: charge
          ? `This will charge $${formatCents(decision.amountMicros)} to ${card ? cardLabel(card) : "your card"} now` +
            `${because(chargeExplanation({ ...state.settings, balanceMicros: state.balanceMicros, chargeMicros: decision.amountMicros }))}.`
          : `Nothing will be charged now: ${REASONS[decision.reason]}`,
      };
    });
  },
);

autoRechargeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/consents",
    tags: ["auto-recharge"],
    summary: "The customer's consents to automatic charges, newest first (the account, its agency, the operator)",
    description:
      "One for each save that turned Auto-Recharge on or changed what, on which card or when it charges while on: the exact sentence agreed to, who attested it (the Payments-page session, or the API key that sent it), from which address and browser, and the terms it covered. Append-only. What a platform shows a card network in a chargeback. Cursor-paged.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(ConsentOut), "A page of consents"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listConsents(c.get("deps").db, account.id, limit, decodeCreatedCursor(cursor));
    return c.json(
      {
        data: page.consents.map((k) => ({
          id: k.id,
          account_id: k.accountId,
          text: k.text,
          actor: k.actor,
          ip: k.ip,
          user_agent: k.userAgent,
          terms: {
            display_name: k.terms.displayName,
            card: k.terms.card,
            mode: k.terms.mode,
            amount: k.terms.amount,
            target: k.terms.target,
            threshold: k.terms.threshold,
            monthly_limit: k.terms.monthlyLimit,
            backup_card: k.terms.backupCard,
          },
          created_at: k.createdAt,
        })),
        next_cursor: page.next ? encodeCreatedCursor(page.next) : null,
      },
      200,
    );
  },
);
