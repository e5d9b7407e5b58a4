import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { formatMicros } from "../../money/micros.js";
import type { AppEnv } from "../context.js";
import { routeErrors, jsonResponse, security } from "../schemas/common.js";
import { Money } from "../schemas/money.js";
import { EXAMPLES } from "../schemas/examples.js";

export const pricingRoutes = new OpenAPIHono<AppEnv>();

const PricingOut = z
  .object({
    rate_with_widget: Money,
    rate_without_widget: Money,
    payments: z.enum(["sandbox", "stripe"]).openapi({ description: "how cards are saved: sandbox takes the card here; stripe through a SetupIntent" }),
  })
  .openapi("Pricing", { example: EXAMPLES.Pricing, description: "per-minute rates (the dashboard spells out what the widget switch changes) and the payment provider" });

pricingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/pricing",
    tags: ["accounts"],
    summary: "The per-minute rates with and without the Web Widget, and the payment provider cards go to",
    description:
      "$0.16 per minute with the Web Widget enabled, $0.18 without (docs/concepts.md), as decimal strings, and whether cards go to the sandbox or Stripe.",
    security,
    responses: { 200: jsonResponse(PricingOut, "The rate table"), ...routeErrors({}) },
  }),
  (c) => {
    const { rates, payments } = c.get("deps").config;
    return c.json(
      { rate_with_widget: formatMicros(rates.withWidgetMicros), rate_without_widget: formatMicros(rates.withoutWidgetMicros), payments },
      200,
    );
  },
);
