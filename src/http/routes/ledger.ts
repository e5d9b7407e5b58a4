import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { requireAdmin } from "../../accounts/access.js";
import { listEntries } from "../../ledger/ledger.js";
import { adjustBalance } from "../../billing/account-changes.js";
import { invalidField } from "../../errors/app-error.js";
import { formatMicros } from "../../money/micros.js";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { decodeSeqCursor, encodeSeqCursor } from "../cursor.js";
import { idempotent } from "../idempotency.js";
import {
  errorResponses,
  IdempotencyHeader,
  IdParam,
  jsonBody,
  jsonResponse,
  listOf,
  PageQuery,
  security,
} from "../schemas/common.js";
import { AdjustmentIn, TransactionOut, transactionOut } from "../schemas/ledger.js";

export const ledgerRoutes = new OpenAPIHono<AppEnv>();

ledgerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/accounts/{id}/adjustments",
    tags: ["ledger"],
    summary: "Credit or debit a wallet by hand (operator); a correction is a new entry",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(AdjustmentIn) },
    responses: { 201: jsonResponse(TransactionOut, "The ledger entry"), ...errorResponses },
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
    security,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse(listOf(TransactionOut), "A page of entries"), ...errorResponses },
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
