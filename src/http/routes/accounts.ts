import { DEFAULT_PLAN_ID } from "../../billing/pricing.js";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { commitRequest } from "../commit-request.js";
import { requireAdmin } from "../../accounts/access.js";
import { createAccount } from "../../accounts/accounts.js";
import { searchAccounts, searchTotals, type AccountSearch, type AccountSort } from "../../billing/status/account-risks.js";
import { updateAccount } from "../../billing/adjustments/account-changes.js";
import { invalid } from "../../errors/app-error.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeSortCursor, encodeSortCursor } from "../cursor.js";
import { idempotent } from "../idempotency.js";
import { AccountListOut, AccountOut, AccountSearchQuery, accountTotalsOut, CreateAccountIn, MeOut, PatchAccountIn } from "../schemas/accounts.js";
import { viewAccount, viewAccounts } from "../account-view.js";
import {
  ACCOUNT_NOT_FOUND, KEY_REUSED, OPERATOR_ONLY, WRITE_FORBIDDEN, routeErrors,
  IdempotencyHeader,
  IdParam,
  jsonBody,
  jsonResponse,
  security,
} from "../schemas/common.js";

export const accountRoutes = new OpenAPIHono<AppEnv>();

type WatchFilters = Omit<AccountSearch, "limit" | "sort" | "after">;

accountRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts",
    tags: ["accounts"],
    summary: "Create an account (operator)",
    description:
      "Creates a user, agency or subaccount (a subaccount names its agency in `parent_id`) with an empty wallet and Auto-Recharge off. Then give it credit (`POST …/adjustments`), an API key (`POST …/api-keys`) or a Payments-page link (`POST …/sessions`).",
    security,
    request: { headers: IdempotencyHeader, body: jsonBody(CreateAccountIn) },
    responses: { 201: jsonResponse(AccountOut, "The new account, with an empty wallet"), ...routeErrors({ 403: OPERATOR_ONLY, 409: KEY_REUSED }) },
  }),
  async (c) => {
    requireAdmin(c.get("principal"));
    const body = c.req.valid("json");
    return idempotent(c, 201, async (tx) => {
      const account = await createAccount(tx, { name: body.name, type: body.type, parentId: body.parent_id, webWidget: body.web_widget, email: body.email });
      // In the new account's log, and in its agency's: who opened it, when, with what.
      const opened = { name: account.name, type: account.type, parent_id: account.parentId, web_widget: account.webWidget, email: account.email };
      await recordAudit(tx, auditSource(c), account.id, "account.created", diffChanges(null, opened));
      if (account.parentId) await recordAudit(tx, auditSource(c), account.parentId, "subaccount.created", diffChanges(null, { subaccount_id: account.id, name: account.name }));
      return viewAccount(tx, c.get("deps"), account);
    });
  },
);

accountRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/me",
    tags: ["accounts"],
    summary: "The account the API key belongs to (how the dashboard finds its account after sign-in)",
    description:
      "Answers the credential's own account, so a client holding only a key or a session token learns its account id. The operator key belongs to no account (400).",
    security,
    responses: { 200: jsonResponse(MeOut, "The credential's account, and the credential's type and scope"), ...routeErrors({ 400: "`invalid_request`: the operator key belongs to no account" }) },
  }),
  async (c) => {
    const principal = c.get("principal");
    if (principal.kind !== "account") throw invalid("the operator key belongs to no account; sign in with an account's API key");
    const account = await authorizedAccount(c, principal.accountId, "read");
    const credential = { type: principal.actor.type === "session" ? ("session" as const) : ("api_key" as const), scope: principal.scope, id: principal.actor.id };
    return c.json({ ...(await viewAccount(c.get("deps").db, c.get("deps"), account)), credential }, 200);
  },
);

accountRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}",
    tags: ["accounts"],
    summary: "An account with its balance, rate and minutes available",
    description:
      "The wallet as a billing user sees it: `balance` (to the micro-dollar), `rate_per_minute` (from the Web Widget setting), `minutes_available` at that rate, `status` (`paused` after a failed payment) and the Auto-Recharge settings and state. An agency may read its subaccounts.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(AccountOut, "The account"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    return c.json(await viewAccount(c.get("deps").db, c.get("deps"), account), 200);
  },
);

accountRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/accounts/{id}",
    tags: ["accounts"],
    summary: "Turn the Web Widget on or off (changes the rate of later calls); set or clear the notification email; the operator sets the concurrency limit and the price plan",
    description:
      "The Web Widget switch changes the rate of calls started afterwards ($0.16/min on, $0.18/min off); running calls keep the rate they started with. The email receives receipts and failure notices; null clears it. Both are the account's own settings. `max_concurrent_calls` is the operator's: how many calls the account may run at once (null: unlimited); running calls go on, and a start over it is answered 429 `concurrency_limited`. `price_plan_id` is the operator's too: calls started afterwards pay the plan's rates, and a plan's monthly fee starts (the old plan's stops from its next period). Audited. Not idempotent by key: sending the same values again changes nothing.",
    security,
    request: { params: IdParam, body: jsonBody(PatchAccountIn) },
    responses: {
      200: jsonResponse(AccountOut, "The account"),
      ...routeErrors({ 400: "`invalid_request`: no such price plan", 403: `${WRITE_FORBIDDEN}; or \`max_concurrent_calls\` or \`price_plan_id\` from anyone but the operator`, 404: ACCOUNT_NOT_FOUND }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const deps = c.get("deps");
    const body = c.req.valid("json");
    if (body.max_concurrent_calls !== undefined || body.price_plan_id !== undefined) requireAdmin(c.get("principal"));
    // The account's own settings need the account; the operator's limit and plan alone need only to see it.
    await authorizedAccount(c, id, body.web_widget !== undefined || body.email !== undefined ? "write" : "read");
    const view = await commitRequest(c, async (tx) => {
      const { before, after } = await updateAccount(
        tx,
        deps.config,
        id,
        { webWidget: body.web_widget, email: body.email, maxConcurrentCalls: body.max_concurrent_calls, pricePlanId: body.price_plan_id },
        deps.now(),
      );
      // A save that changed nothing is still recorded (with no changes): someone asked for it.
      const changes = diffChanges(
        { web_widget: before.webWidget, email: before.email, max_concurrent_calls: limitText(before.maxConcurrentCalls), price_plan_id: before.pricePlanId ?? DEFAULT_PLAN_ID },
        { web_widget: after.webWidget, email: after.email, max_concurrent_calls: limitText(after.maxConcurrentCalls), price_plan_id: after.pricePlanId ?? DEFAULT_PLAN_ID },
      );
      await recordAudit(tx, auditSource(c), id, "account.updated", changes);
      return viewAccount(tx, deps, after);
    });
    return c.json(view, 200);
  },
);

/** A concurrency limit in the audit log: audit values are never JS numbers (amounts stay strings), so a count is text too. */
const limitText = (limit: number | null) => (limit === null ? null : String(limit));

/** One page of a watch list in the API's shape: the accounts as views, with risks, and the totals. */
async function watchList(c: Context<AppEnv>, search: WatchFilters, page: { limit: number; cursor?: string | undefined; sort: AccountSort }) {
  const deps = c.get("deps");
  const { found, next } = await searchAccounts(deps.db, deps.config, { ...search, sort: page.sort, limit: page.limit, after: decodeSortCursor(page.cursor, page.sort) });
  const views = await viewAccounts(deps.db, deps, found.map((f) => f.account));
  const totals = await searchTotals(deps.db, deps.config, search);
  return {
    data: views.map((view, i) => ({ ...view, risks: found[i]!.risks })),
    next_cursor: next ? encodeSortCursor(page.sort, next) : null,
    totals: accountTotalsOut(totals),
  };
}

accountRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/subaccounts",
    tags: ["accounts"],
    summary: "An agency's subaccounts (monitoring): search, filter by risk, sort, with totals",
    description:
      "Each subaccount with its balance, minutes, status, Auto-Recharge state and `risks` (why it may soon stop taking calls), for the agency's watch list. `q` searches names, `risk` keeps the accounts at risk, `sort` orders by newest, name or lowest balance; `totals` counts every match. Cursor-paged (`limit`, `cursor`; a cursor belongs to its sort). Only an agency has subaccounts (400 otherwise).",
    security,
    request: { params: IdParam, query: AccountSearchQuery },
    responses: { 200: jsonResponse(AccountListOut, "A page of subaccounts, and totals"), ...routeErrors({ 400: "`invalid_request`: the account is not an agency, or a cursor made for another sort", 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const agency = await authorizedAccount(c, c.req.valid("param").id, "read");
    if (agency.type !== "agency") throw invalid("only an agency has subaccounts");
    const { q, risk, ...page } = c.req.valid("query");
    return c.json(await watchList(c, { parentId: agency.id, query: q, risk }, page), 200);
  },
);

accountRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts",
    tags: ["accounts"],
    summary: "Every account (operator): search, filter by type and risk, sort, with totals",
    description:
      "The operator's console list: every account with its balance, status, Auto-Recharge state and `risks`. `q` searches names or finds an exact id, `type` and `risk` filter, `sort` orders by newest, name or lowest balance; `totals` counts every match. Cursor-paged (a cursor belongs to its sort).",
    security,
    request: { query: AccountSearchQuery.extend({ type: z.enum(["user", "agency", "subaccount"]).optional() }) },
    responses: { 200: jsonResponse(AccountListOut, "A page of accounts, and totals"), ...routeErrors({ 400: "`invalid_request`: a cursor made for another sort", 403: OPERATOR_ONLY }) },
  }),
  async (c) => {
    requireAdmin(c.get("principal"));
    const { q, risk, type, ...page } = c.req.valid("query");
    return c.json(await watchList(c, { query: q, risk, type }, page), 200);
  },
);
