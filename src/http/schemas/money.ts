import { z } from "@hono/zod-openapi";
import { parseAmount, parseRate } from "../../money/parse.js";

function amountSchema(signed: boolean) {
  return z
    .union([z.string(), z.number()], { error: 'must be a decimal string such as "50.00"' })
    .transform((value, ctx) => {
      const parsed = parseAmount(value, { signed });
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: parsed.reason });
        return z.NEVER;
      }
      return parsed.micros;
    })
    .openapi({
      type: "string",
      example: "50.00",
      description: `USD, whole cents, as a decimal string${signed ? " (signed)" : ""}`,
    });
}

/** A user-set amount in USD (whole cents, ≥ 0), parsed to bigint µUSD at the edge. */
export const AmountInput = amountSchema(false);
/** A signed amount (admin adjustments). */
export const SignedAmountInput = amountSchema(true);

/** Money on the way out: a decimal USD string with up to 6 decimals. */
export const Money = z.string().openapi({ example: "49.813334", description: "USD as a decimal string" });

/** A per-minute rate in USD (up to 6 decimals, above 0, at most 100), parsed to bigint µUSD at the edge. */
export const RateInput = z
  .union([z.string(), z.number()], { error: 'must be a decimal string such as "0.16"' })
  .transform((value, ctx) => {
    const parsed = parseRate(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.reason });
      return z.NEVER;
    }
    return parsed.micros;
  })
  .openapi({ type: "string", example: "0.16", description: "USD a minute, up to 6 decimals, as a decimal string" });
