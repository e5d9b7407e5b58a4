import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { commitRequest } from "../commit-request.js";
import { AppError, invalid } from "../../errors/app-error.js";
import { checkCard } from "../../payments/card-number.js";
import type { CardToSave } from "../../payments/gateway.js";
import { addPaymentMethod, deletePaymentMethod, listPaymentMethods, makeDefaultCard, previewCardSave, refuseOverSavedCardCap } from "../../billing/recharges/payment-methods.js";
import { countOrRefuse } from "../../rate-limits/counter.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { clientAddress } from "../client-address.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { idempotent } from "../idempotency.js";
import { CardIn, CardSavePreviewOut, PaymentMethodOut, paymentMethodOut, SavedPaymentMethodOut } from "../schemas/billing.js";
import { keepSessionForCharge } from "../session-charge.js";
import { because, chargeExplanation } from "../../billing/recharges/charge-explanation.js";
import { formatCents, formatMicros } from "../../money/micros.js";
import { cardLabel } from "../../payments/card-label.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, WRITE_FORBIDDEN, routeErrors, IdempotencyHeader, IdParam, jsonBody, jsonResponse, listOf, security, Deleted } from "../schemas/common.js";
import { EXAMPLES } from "../schemas/examples.js";

export const paymentMethodRoutes = new OpenAPIHono<AppEnv>();

const CARD_PROBLEMS = {
  number: "card.number: not a valid card number",
  expiry: "card: the card has expired or the expiry month is not 1 to 12",
  cvc: "card.cvc: must be 3 or 4 digits",
} as const;

/** What the audit log keeps of a card: what the owner sees of it, never more. */
const cardFields = ({ id, brand, last4, exp_month, exp_year, is_default }: z.infer<typeof PaymentMethodOut>) => ({
  id,
  brand,
  last4,
  expiry: `${String(exp_month).padStart(2, "0")}/${exp_year}`,
  is_default,
});

paymentMethodRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/payment-methods",
    tags: ["payment methods"],
    summary: "Save a card (never charged on save). Sandbox: {card}; Stripe: {provider_payment_method}",
    description:
      "With the sandbox gateway, send `card` (test numbers in the README); with Stripe, tokenise the card in the browser (`POST …/payment-methods/setup`) and send `provider_payment_method`. Nothing is charged on save. The number and CVC never reach the database or a log. `default: true` makes it the card Auto-Recharge uses. The same card saved again (the same number, at the provider) replaces the saved copy and takes over its roles (`replaced_payment_method_id`): no account holds the same card twice. Limited per account and client address per hour (429).",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(CardIn) },
    responses: { 201: jsonResponse(SavedPaymentMethodOut, "The saved card: brand, last 4, expiry, and the copy of it it replaced"), ...routeErrors({ 400: "`invalid_request`: a card number, expiry or CVC the card rules refuse, both or neither of `card` and `provider_payment_method`, or the saved-card cap reached", 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED, 429: "too many cards saved on this account (or from this client address) this hour" }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    if (body.card && body.provider_payment_method) throw invalid("send either card or provider_payment_method, not both");
    let input: CardToSave;
    if (body.card) {
      const card = { number: body.card.number, expMonth: body.card.exp_month, expYear: body.card.exp_year, cvc: body.card.cvc };
      const problem = checkCard(card, deps.now());
      if (problem) throw new AppError("invalid_request", CARD_PROBLEMS[problem]);
      input = { kind: "card", card };
    } else if (body.provider_payment_method) {
      input = { kind: "provider_payment_method", ref: body.provider_payment_method };
    } else {
      throw invalid(deps.gateway.provider === "stripe" ? "provider_payment_method: required with Stripe" : "card: required with the sandbox gateway");
    }
    // A request already made with this Idempotency-Key is answered again: not counted, not vaulted again.
    return idempotent(
      c,
      201,
      async (tx, saved) => {
        const { paymentMethod, replaced, retry, autoRechargeMovedFrom } = await addPaymentMethod(tx, deps.config, id, deps.gateway.provider, saved, body.default ?? false, deps.now());
        await recordAudit(tx, auditSource(c), id, "payment_method.added", diffChanges(null, { ...cardFields(paymentMethodOut(paymentMethod)), replaced_payment_method_id: replaced?.id ?? null }));
        // A card saved while Auto-Recharge was failing takes over from the card that failed: said in its own row.
        if (autoRechargeMovedFrom && autoRechargeMovedFrom.id !== paymentMethod.id) {
          await recordAudit(tx, auditSource(c), id, "auto_recharge.updated", {
            card: [cardLabel(autoRechargeMovedFrom), cardLabel(paymentMethod)],
            payment_method_id: [autoRechargeMovedFrom.id, paymentMethod.id],
          });
        }
        if (retry) await keepSessionForCharge(tx, c);
        return { ...paymentMethodOut(paymentMethod), replaced_payment_method_id: replaced?.id ?? null, triggered_recharge_id: retry?.id ?? null };
      },
      {
        prepare: async () => {
          // Abuse limits (docs/concepts.md), before the card reaches the vault: card testing and vault filling.
          await countOrRefuse(deps.db, deps.config.rateLimits, "card_saves", id);
          // A session is a person's browser: also limited per client IP, where card testers spread over accounts.
          if (c.get("principal").actor.type === "session") {
            await countOrRefuse(deps.db, deps.config.rateLimits, "session_card_saves", clientAddress(c));
          }
          await refuseOverSavedCardCap(deps.db, id, deps.config.rateLimits.savedCardsMax);
          // The provider vaults the card first, as a real one would; only its reference reaches our tables.
          return deps.gateway.saveCard(id, input);
        },
      },
    );
  },
);

paymentMethodRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/payment-methods",
    tags: ["payment methods"],
    summary: "Saved cards, newest first",
    description:
      "Brand, last 4, expiry and which is the default. Never the number.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(listOf(PaymentMethodOut), "Saved cards"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const cards = await listPaymentMethods(c.get("deps").db, account.id);
    return c.json({ data: cards.map(paymentMethodOut), next_cursor: null }, 200);
  },
);

paymentMethodRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/accounts/{id}/payment-methods/{pm}",
    tags: ["payment methods"],
    summary: "Remove a card",
    description:
      "The card Auto-Recharge uses cannot be removed while Auto-Recharge is on (`payment_method_required`): add another card or turn it off first.",
    security,
    request: { params: IdParam.extend({ pm: z.string().min(1).max(100).openapi({ param: { name: "pm", in: "path" } }) }) },
    responses: { 200: jsonResponse(Deleted, "Removed"), ...routeErrors({ 400: "`payment_method_required`: the card Auto-Recharge uses, while it is on", 403: WRITE_FORBIDDEN, 404: "`not_found`: no such account or card" }) },
  }),
  async (c) => {
    const { id, pm } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const deps = c.get("deps");
    await commitRequest(c, async (tx) => {
      const removed = await deletePaymentMethod(tx, deps.config, id, pm);
      await recordAudit(tx, auditSource(c), id, "payment_method.removed", diffChanges(cardFields(paymentMethodOut(removed)), null));
    });
    return c.json({ id: pm, deleted: true as const }, 200);
  },
);

paymentMethodRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/accounts/{id}/payment-methods/{pm}",
    tags: ["payment methods"],
    summary: "Make a saved card the default",
    description:
      "`{default: true}`: the card that top-ups without a card, and Auto-Recharge set to the default card, charge from now on. Nothing is charged now. Audited.",
    security,
    request: {
      params: IdParam.extend({ pm: z.string().min(1).max(100).openapi({ param: { name: "pm", in: "path" } }) }),
      body: jsonBody(z.object({ default: z.literal(true) }).strict().openapi("PaymentMethodUpdate", { example: { default: true } })),
    },
    responses: { 200: jsonResponse(PaymentMethodOut, "The card, now the default"), ...routeErrors({ 403: WRITE_FORBIDDEN, 404: "`not_found`: no such account or card" }) },
  }),
  async (c) => {
    const { id, pm } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const deps = c.get("deps");
    const card = await commitRequest(c, async (tx) => {
      const { card, previous } = await makeDefaultCard(tx, deps.config, id, pm);
      if (previous) {
        await recordAudit(tx, auditSource(c), id, "payment_method.default", { card: [cardLabel(previous), cardLabel(card)], payment_method_id: [previous.id, card.id] });
      }
      return card;
    });
    return c.json(paymentMethodOut(card), 200);
  },
);

const CardSetupOut = z
  .object({
    setup_intent_id: z.string(),
    client_secret: z.string(),
    publishable_key: z.string().nullable(),
    api_base: z.string(),
  })
  .openapi("CardSetup", { example: EXAMPLES.CardSetup, description: "What the browser needs to save a card at Stripe; then POST payment-methods with the payment method id" });

paymentMethodRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/payment-methods/setup",
    tags: ["payment methods"],
    summary: "Stripe only: a SetupIntent for saving a card in the browser (the number goes to Stripe, never here)",
    description:
      "Answers the SetupIntent's client secret and the publishable key for Stripe.js: the browser confirms the card with Stripe, then posts the resulting payment method id to `POST …/payment-methods`. The card number never passes through this service.",
    security,
    request: { params: IdParam },
    responses: { 201: jsonResponse(CardSetupOut, "A SetupIntent for this account's Stripe customer"), ...routeErrors({ 400: "`invalid_request`: the sandbox gateway takes cards in POST payment-methods", 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const { gateway } = c.get("deps");
    if (!gateway.startCardSetup) throw invalid("card setup is for Stripe; the sandbox gateway takes the card in POST payment-methods");
    const setup = await gateway.startCardSetup(id);
    return c.json(
      { setup_intent_id: setup.setupIntentId, client_secret: setup.clientSecret, publishable_key: setup.publishableKey, api_base: setup.apiBase },
      201,
    );
  },
);

paymentMethodRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/payment-methods/preview",
    tags: ["payment methods"],
    summary: "What saving a card now would charge at once; writes nothing",
    description:
      "While Auto-Recharge is failing, a card saved becomes the default and the failed recharge is retried on it at once. This says beforehand whether that happens and for how much, with the sentence to show before the user saves (the page shows it beside the card form).",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(CardSavePreviewOut, "What saving a card would charge"), ...routeErrors({ 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const deps = c.get("deps");
    const { state, decision } = await previewCardSave(deps.db, deps.config, id, deps.now());
    const balance = formatMicros(state.balanceMicros);
    if (!decision) return c.json({ will_charge: false, amount: null, balance, reason: "not_failing", message: "Saving a card charges nothing." }, 200);
    if (decision.action !== "charge") {
      return c.json({ will_charge: false, amount: null, balance, reason: decision.reason, message: "Saving a card makes it your default card; nothing is charged now." }, 200);
    }
    const why = chargeExplanation({ ...state.settings, balanceMicros: state.balanceMicros, chargeMicros: decision.amountMicros });
    return c.json(
      {
        will_charge: true,
        amount: formatCents(decision.amountMicros),
        balance,
        reason: null,
        message: `Saving this card makes it your default card and charges it $${formatCents(decision.amountMicros)} now, to retry the Auto-Recharge that failed${because(why)}.`,
      },
      200,
    );
  },
);
