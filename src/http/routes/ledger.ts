import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { requireAdmin } from "../../accounts/access.js";
import { listEntries } from "../../ledger/ledger.js";
import { adjustBalance } from "../../billing/adjustments/account-changes.js";
import { listCalls } from "../../billing/calls/call-history.js";
import { invalidField } from "../../errors/app-error.js";
import { formatMicros } from "../../money/micros.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeCallCursor, decodeSeqCursor, encodeCallCursor, encodeSeqCursor } from "../cursor.js";
import { idempotent } from "../idempotency.js";
import {
  ACCOUNT_NOT_FOUND, KEY_REUSED, OPERATOR_ONLY, routeErrors,
  IdempotencyHeader,
  IdParam,
  jsonBody,
  jsonResponse,
  listOf,
  PageQuery,
  security,
} from "../schemas/common.js";
import { AdjustmentIn, TransactionOut, transactionOut } from "../schemas/ledger.js";
import { CallRecordOut, callRecordOut } from "../schemas/billing.js";

export const ledgerRoutes = new OpenAPIHono<AppEnv>();

ledgerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/adjustments",
    tags: ["ledger"],
    summary: "Credit or debit a wallet by hand (operator); a correction is a new entry",
    description:
      "A signed amount with a reason, posted as an `adjustment` entry: credit goodwill or correct a mistake with a new entry, never by editing one. A debit is a debit like usage: crossing the threshold starts Auto-Recharge, and the pause rule applies.",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(AdjustmentIn) },
    responses: { 201: jsonResponse(TransactionOut, "The ledger entry"), ...routeErrors({ 400: "`invalid_request`: an amount of zero", 403: OPERATOR_ONLY, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }) },
  }),
  async (c) => {
    requireAdmin(c.get("principal"));
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "read");
    const { amount, reason } = c.req.valid("json");
    if (amount === 0n) throw invalidField("amount", "an adjustment must move money");
    const deps = c.get("deps");
    return idempotent(c, 201, async (tx) => {
      const entry = await adjustBalance(tx, deps.config, id, amount, reason, deps.now());
      await recordAudit(tx, auditSource(c), id, "balance.adjusted", {
        balance: [formatMicros(entry.balanceAfterMicros - entry.amountMicros), formatMicros(entry.balanceAfterMicros)],
        ...diffChanges(null, { entry_id: entry.id, amount: formatMicros(entry.amountMicros), reason }),
      });
      return transactionOut(entry);
    });
  },
);

ledgerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/transactions",
    tags: ["ledger"],
    summary: "Ledger entries, newest first, with the balance after each",
    description:
      "Every movement of the wallet: `usage` (a call's report), `recharge` (a settled charge), `adjustment` (by the operator), each with `balance_after`. The entries are append-only; the balance is their sum (`prepaid verify` checks it). Cursor-paged.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(TransactionOut), "A page of entries"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listEntries(c.get("deps").db, account.id, limit, decodeSeqCursor(cursor));
    return c.json(
      {
        data: page.entries.map(transactionOut),
        next_cursor: page.nextSeq === undefined ? null : encodeSeqCursor(page.nextSeq),
      },
      200,
    );
  },
);

ledgerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/calls",
    tags: ["ledger"],
    summary: "Calls, newest first by start: one row per call with its seconds, rate and amount",
    description:
      "What a statement shows of calls: each call once, its usage reports folded into `billed_seconds` and the exact `amount` (the sum of its `usage` entries in `…/transactions`), with its rate and when it started and ended. Cursor-paged.",
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(CallRecordOut), "A page of calls"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listCalls(c.get("deps").db, account.id, limit, decodeCallCursor(cursor));
    return c.json({ data: page.calls.map(callRecordOut), next_cursor: page.next ? encodeCallCursor(page.next) : null }, 200);
  },
);
