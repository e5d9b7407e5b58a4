import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { authorizeAgencyOrOperator, requireAdmin } from "../../accounts/access.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { createFee, findFee, listFees, stopFee } from "../../billing/fees/fees.js";
import { createPlan, listPlans } from "../../billing/plans/plans.js";
import { getResale, MAX_REBILLING_MONTHS, rebillingReport, setResale } from "../../billing/plans/resale.js";
import type { Rates } from "../../billing/pricing.js";
import { inTransaction } from "../../db/database.js";
import { AppError, invalidField, notFound } from "../../errors/app-error.js";
import { formatMicros } from "../../money/micros.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import { commitRequest } from "../commit-request.js";
import type { AppEnv } from "../context.js";
import { idempotent } from "../idempotency.js";
import { ACCOUNT_NOT_FOUND, dataOf, IdempotencyHeader, IdParam, jsonBody, jsonResponse, KEY_REUSED, OPERATOR_ONLY, routeErrors, security } from "../schemas/common.js";
import { FeeIn, FeeOut, feeOut, PricePlanIn, PricePlanOut, pricePlanOut, RebillingOut, rebillingOut, RebillingQuery, ResaleIn, ResaleOut, resaleOut, ratesOut } from "../schemas/plans.js";

/** Price plans, an agency's resale rates and its rebilling view, recurring fees (docs/plans.md). */
export const planRoutes = new OpenAPIHono<AppEnv>();

planRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/price-plans",
    tags: ["plans"],
    summary: "Operator: create a price plan",
    description:
      "A plan's per-minute rates (with the Web Widget and without) and an optional monthly fee. Put an account on it with `PATCH /v1/accounts/{id} {price_plan_id}`: calls started after that pay its rates; running calls keep theirs.",
    security,
    request: { headers: IdempotencyHeader, body: jsonBody(PricePlanIn) },
    responses: { 201: jsonResponse(PricePlanOut, "The plan"), ...routeErrors({ 400: "`invalid_request`: a rate of 0 or above 100 a minute, or more than 6 decimals", 403: OPERATOR_ONLY, 409: KEY_REUSED }) },
  }),
  async (c) => {
    requireAdmin(c.get("principal"));
    const body = c.req.valid("json");
    return idempotent(c, 201, async (tx) =>
      pricePlanOut(
        await createPlan(tx, {
          name: body.name,
          rates: { webWidgetMicros: body.rate_per_minute.web_widget, defaultMicros: body.rate_per_minute.default },
          monthlyFeeMicros: body.monthly_fee === undefined || body.monthly_fee === 0n ? null : body.monthly_fee,
        }),
      ),
    );
  },
);

planRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/price-plans",
    tags: ["plans"],
    summary: "Operator: the price plans, the built-in default first",
    description: "`pln_default` is the configured rates ($0.16 / $0.18 a minute unless set otherwise): every account without a plan of its own.",
    security,
    responses: { 200: jsonResponse(dataOf(PricePlanOut), "Every plan"), ...routeErrors({ 403: OPERATOR_ONLY }) },
  }),
  async (c) => {
    requireAdmin(c.get("principal"));
    const { db, config } = c.get("deps");
    const plans = await inTransaction(db, (tx) => listPlans(tx, config));
    return c.json({ data: plans.map(pricePlanOut) }, 200);
  },
);

const RESALE_FORBIDDEN = "`forbidden`: a read key or viewer session, the operator (the agency sets its own prices), or a subaccount";

planRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/resale",
    tags: ["plans"],
    summary: "An agency's resale rates and its own cost a minute",
    description: "What the agency's subaccounts pay a minute (null: it does not resell) and what it pays the platform (its plan): the floor of its resale rates.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(ResaleOut, "The resale rates"), ...routeErrors({ 400: "`invalid_request`: not an agency", 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await agencyOnly(c, c.req.valid("param").id, "read");
    const { db, config } = c.get("deps");
    return c.json(resaleOut(await inTransaction(db, (tx) => getResale(tx, config, account.id))), 200);
  },
);

planRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/accounts/{id}/resale",
    tags: ["plans"],
    summary: "An agency sets what its subaccounts pay a minute",
    description:
      "Each rate at least the agency's own plan rate and at most 10× it. Subaccount calls started after this are debited at it, and the margin over the agency's rate is credited to the agency's wallet (`rebilling_margin`) in the same transaction as each debit. Subaccounts see only their rate. The agency's full key or owner session. Audited.",
    security,
    request: { params: IdParam, body: jsonBody(ResaleIn) },
    responses: {
      200: jsonResponse(ResaleOut, "The resale rates"),
      ...routeErrors({ 400: "`invalid_request`: a rate below the agency's own or above 10× it; not an agency", 403: RESALE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND }),
    },
  }),
  async (c) => {
    const account = await agencyOnly(c, c.req.valid("param").id, "write");
    const { rate_per_minute } = c.req.valid("json");
    return c.json(resaleOut(await saveResale(c, account.id, { webWidgetMicros: rate_per_minute.web_widget, defaultMicros: rate_per_minute.default })), 200);
  },
);

planRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/accounts/{id}/resale",
    tags: ["plans"],
    summary: "An agency stops reselling: its subaccounts' later calls pay their own plans",
    description: "Running calls keep the rate and margin they started with. Audited.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(ResaleOut, "The resale rates (none)"), ...routeErrors({ 400: "`invalid_request`: not an agency", 403: RESALE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await agencyOnly(c, c.req.valid("param").id, "write");
    return c.json(resaleOut(await saveResale(c, account.id, null)), 200);
  },
);

planRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/rebilling",
    tags: ["plans"],
    summary: "An agency's cost, resale and margin per subaccount and month",
    description: `From the ledger's rebilled debits: per subaccount and calendar month (UTC), newest first, what it paid at the agency's prices, the platform's part and the agency's margin; up to ${MAX_REBILLING_MONTHS} months.`,
    security,
    request: { params: IdParam, query: RebillingQuery },
    responses: { 200: jsonResponse(RebillingOut, "The rebilling lines and their totals"), ...routeErrors({ 400: "`invalid_request`: not an agency", 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await agencyOnly(c, c.req.valid("param").id, "read");
    const { months } = c.req.valid("query");
    const { db, now } = c.get("deps");
    const lines = await inTransaction(db, (tx) => rebillingReport(tx, account.id, now(), months));
    return c.json(rebillingOut(lines), 200);
  },
);

planRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/fees",
    tags: ["plans"],
    summary: "Operator, or the account's agency: a monthly fee debited from the wallet",
    description:
      "Debited once at the start of each period — the first period starts now, so the first month is charged at once — as a `fee` entry (once per fee and period, whatever runs it). It may start Auto-Recharge and may take the balance below zero; it never pauses the account by itself. The operator's fee is the platform's; an agency's fee on its subaccount is at the agency's price and all of it is credited to the agency as `rebilling_margin` in the same transaction. Audited.",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(FeeIn) },
    responses: {
      201: jsonResponse(FeeOut, "The fee, its first period charged"),
      ...routeErrors({ 400: "`invalid_request`: an amount of 0.00; more than 50 running fees", 403: "`forbidden`: the account itself (its fees are set by the operator or its agency)", 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.get("principal");
    const account = await authorizedAccount(c, id, "read");
    authorizeAgencyOrOperator(principal, account);
    const body = c.req.valid("json");
    if (body.amount <= 0n) throw invalidField("amount", "a fee is more than 0.00");
    const deps = c.get("deps");
    return idempotent(c, 201, async (tx) => {
      const now = deps.now();
      const byAgency = principal.kind === "account";
      const fee = await createFee(
        tx,
        deps.config,
        { accountId: id, name: body.name, amountMicros: body.amount, margin: byAgency ? { accountId: principal.accountId, micros: body.amount } : null, pricePlanId: null },
        now,
      );
      await recordAudit(tx, auditSource(c), id, "fee.created", diffChanges(null, { fee_id: fee.id, name: fee.name, amount: formatMicros(fee.amountMicros) }));
      return feeOut(fee);
    });
  },
);

planRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/fees",
    tags: ["plans"],
    summary: "An account's monthly fees, running first, with the next charge date",
    description: "Running fees show `next_charge_at`; stopped ones `stopped_at` (their last period was charged at its start). Readable by the account, its agency and the operator.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(dataOf(FeeOut), "The fees"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { db } = c.get("deps");
    const fees = await inTransaction(db, (tx) => listFees(tx, account.id));
    return c.json({ data: fees.map(feeOut) }, 200);
  },
);

planRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/accounts/{id}/fees/{fee_id}",
    tags: ["plans"],
    summary: "Stop a monthly fee from its next period",
    description: "The period running now was charged at its start and stays charged; no later period is. The operator stops any fee; an agency the fees it set. Stopping a stopped fee changes nothing. Audited.",
    security,
    request: { params: z.object({ id: z.string().max(100), fee_id: z.string().max(100) }) },
    responses: { 200: jsonResponse(FeeOut, "The fee, stopped"), ...routeErrors({ 403: "`forbidden`: the account itself, or an agency stopping the operator's fee", 404: "`not_found`: no such account or fee" }) },
  }),
  async (c) => {
    const { id, fee_id } = c.req.valid("param");
    const principal = c.get("principal");
    const account = await authorizedAccount(c, id, "read");
    authorizeAgencyOrOperator(principal, account);
    const deps = c.get("deps");
    const fee = await commitRequest(c, async (tx) => {
      const found = await findFee(tx, id, fee_id);
      if (!found) throw notFound("fee");
      if (principal.kind === "account" && found.margin?.accountId !== principal.accountId) throw new AppError("forbidden", "an agency stops only the fees it set");
      const stopped = await stopFee(tx, id, fee_id, deps.now());
      if (!found.stoppedAt) await recordAudit(tx, auditSource(c), id, "fee.stopped", diffChanges({ fee_id: found.id, stopped_at: null }, { fee_id: found.id, stopped_at: stopped.stoppedAt!.toISOString() }));
      return stopped;
    });
    return c.json(feeOut(fee), 200);
  },
);

/** The resale routes are an agency's own: itself (and, to read, the operator). */
async function agencyOnly(c: Parameters<typeof authorizedAccount>[0], id: string, need: "read" | "write") {
  const principal = c.get("principal");
  const account = await authorizedAccount(c, id, need);
  // An agency reads its subaccounts, but their resale is not theirs: only the agency itself, or the operator.
  if (principal.kind === "account" && principal.accountId !== account.id) throw notFound("account");
  if (account.type !== "agency") throw new AppError("invalid_request", "only an agency resells to subaccounts");
  return account;
}

/** Sets or (null) ends an agency's resale and audits the change, in one transaction. */
function saveResale(c: Parameters<typeof authorizedAccount>[0], agencyId: string, rates: Rates | null) {
  const { config } = c.get("deps");
  return commitRequest(c, async (tx) => {
    const { before, after } = await setResale(tx, config, agencyId, rates);
    await recordAudit(tx, auditSource(c), agencyId, "resale.updated", diffChanges(resaleText(before.rates), resaleText(after.rates)));
    return after;
  });
}

const resaleText = (rates: Rates | null) => {
  const out = rates ? ratesOut(rates) : null;
  return { resale_web_widget: out?.web_widget ?? null, resale_default: out?.default ?? null };
};
