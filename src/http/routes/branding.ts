import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { effectiveBranding, saveBranding, type Branding } from "../../accounts/branding.js";
import { AppError } from "../../errors/app-error.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { idempotent } from "../idempotency.js";
import { BrandingIn, BrandingOut } from "../schemas/embedding.js";
import { ACCOUNT_NOT_FOUND, KEY_REUSED, routeErrors, IdempotencyHeader, IdParam, jsonBody, jsonResponse, security } from "../schemas/common.js";

export const brandingRoutes = new OpenAPIHono<AppEnv>();

const fields = (b: Branding) => ({ display_name: b.displayName, logo_url: b.logoUrl, accent_color: b.accentColor });

brandingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/branding",
    tags: ["branding"],
    summary: "How the account's pages look: its own branding, else its agency's, else none",
    description:
      "The display name, logo and accent colour the Payments page shows for this account: its own, else its agency's (`source` says which), else none.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(BrandingOut, "The branding the account's pages show"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const branding = await effectiveBranding(c.get("deps").db, account);
    return c.json({ ...fields(branding), source: branding.source }, 200);
  },
);

brandingRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/accounts/{id}/branding",
    tags: ["branding"],
    summary: "Set the account's own branding (the account with a full key or an owner session, or the operator); null clears a field",
    description:
      "Fields left out keep their value; null clears one. The logo must be an https URL; the colour is #RRGGBB (the page adjusts text for contrast). Audited.",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(BrandingIn) },
    responses: { 200: jsonResponse(BrandingOut, "The branding the account's pages now show"), ...routeErrors({ 400: "`invalid_request`: a colour that is not #RRGGBB, or a logo URL that is not https", 403: "`forbidden`: a read-only key or viewer session, or an agency setting its subaccount's branding", 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.get("principal");
    // Branding is the one account setting the operator writes too (docs/concepts.md): white-labelling
    // is often set up by the platform's operator for its agencies. An agency still cannot write
    // its subaccounts' (403), as with every other setting.
    const account = await authorizedAccount(c, id, principal.kind === "admin" ? "read" : "write");
    if (principal.kind === "account" && principal.scope !== "full") throw new AppError("forbidden", "branding is set with a full key");
    const body = c.req.valid("json");
    return idempotent(c, 200, async (tx) => {
      const { before, after } = await saveBranding(tx, id, { displayName: body.display_name, logoUrl: body.logo_url, accentColor: body.accent_color });
      await recordAudit(tx, auditSource(c), id, "branding.updated", diffChanges(fields(before), fields(after)));
      const view = await effectiveBranding(tx, account);
      return { ...fields(view), source: view.source };
    });
  },
);
