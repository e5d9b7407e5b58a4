import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { formatMicros } from "../../money/micros.js";
import type { AppEnv } from "../context.js";
import { errorResponses, jsonResponse, security } from "../schemas/common.js";
import { Money } from "../schemas/money.js";

export const pricingRoutes = new OpenAPIHono<AppEnv>();

const PricingOut = z
  .object({ rate_with_widget: Money, rate_without_widget: Money })
  .openapi("Pricing", { description: "per-minute rates; the dashboard uses them to spell out what the widget switch changes" });

pricingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/pricing",
    tags: ["accounts"],
    summary: "The per-minute rates with and without the Web Widget",
    security,
    responses: { 200: jsonResponse(PricingOut, "The rate table"), ...errorResponses },
  }),
  (c) => {
    const { rates } = c.get("deps").config;
    return c.json({ rate_with_widget: formatMicros(rates.withWidgetMicros), rate_without_widget: formatMicros(rates.withoutWidgetMicros) }, 200);
  },
);
