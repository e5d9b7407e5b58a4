import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { notFound } from "../../errors/app-error.js";
import { receiptPdf } from "../../receipts/receipt-pdf.js";
import { findReceipt, receiptNumberText } from "../../receipts/receipts.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { IdParam, routeErrors, security } from "../schemas/common.js";

export const receiptRoutes = new OpenAPIHono<AppEnv>();

receiptRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/recharges/{recharge}/receipt.pdf",
    tags: ["recharges"],
    summary: "The numbered PDF receipt of a succeeded charge",
    description:
      "One page: the operator (`PREPAID_OPERATOR_NAME`), the receipt number (consecutive per operator, without gaps, taken when the charge settled), the date paid, the account, the amount, the card and the balance right after. The same receipt is attached to the payment's email. The owner and its agency may read it.",
    security,
    request: { params: IdParam.extend({ recharge: z.string().min(1).max(100).openapi({ param: { name: "recharge", in: "path" } }) }) },
    responses: {
      200: { description: "The receipt", content: { "application/pdf": { schema: z.string().openapi({ type: "string", format: "binary" }) } } },
      ...routeErrors({ 404: "`not_found`: no such account, or no succeeded charge of it with this id" }),
    },
  }),
  async (c) => {
    const { id, recharge } = c.req.valid("param");
    const account = await authorizedAccount(c, id, "read");
    const receipt = await findReceipt(c.get("deps").db, account.id, recharge);
    if (!receipt) throw notFound("receipt");
    const pdf = await receiptPdf(receipt);
    return c.body(new Uint8Array(pdf), 200, {
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="receipt-${receiptNumberText(receipt.number)}.pdf"`,
      "cache-control": "private, no-store",
    });
  },
);
