import { z } from "@hono/zod-openapi";
import { SESSION_TTL_SECONDS } from "../../sessions/sessions.js";
import { EXAMPLES } from "./examples.js";

/** A link back to the platform: http(s) only, so nothing but a page can sit behind it. */
const ReturnUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .openapi({ description: "Where the expired-session screen offers to take the user back to", example: "https://app.example.com/settings" });

export const CreateSessionIn = z
  .object({
    role: z.enum(["owner", "viewer"]).optional().openapi({ description: "owner (default) may change settings; viewer only reads" }),
    ttl_seconds: z.number().int().min(SESSION_TTL_SECONDS.min).max(SESSION_TTL_SECONDS.max).optional().openapi({ example: 3600 }),
    return_url: ReturnUrl.optional(),
  })
  .strict()
  .openapi("CreateSession", { example: EXAMPLES.CreateSession });

export const SessionLinkOut = z
  .object({
    id: z.string().openapi({ example: "ses_3kX9pQ2mZ7rT1vB8nW4y" }),
    url: z.string().openapi({ description: "Open it (or frame it) within 60 s; its code works once", example: "https://billing.example.com/s#code=…" }),
    role: z.enum(["owner", "viewer"]),
    expires_at: z.string(),
  })
  .openapi("SessionLink", { example: EXAMPLES.SessionLink });

export const ExchangeIn = z.object({ code: z.string().min(1).max(200) }).strict().openapi("SessionExchange", { example: EXAMPLES.SessionExchange });

export const SessionTokenOut = z
  .object({
    token: z.string().openapi({ description: "Bearer credential for this account only, until expires_at" }),
    session_id: z.string(),
    account_id: z.string(),
    role: z.enum(["owner", "viewer"]),
    expires_at: z.string(),
    return_url: z.string().nullable(),
  })
  .openapi("SessionToken", { example: EXAMPLES.SessionToken });

export const SessionOut = SessionTokenOut.omit({ token: true })
  .extend({
    account_id: z.string().nullable().openapi({ description: "null for the operator console's session" }),
    role: z.enum(["owner", "viewer", "operator"]),
  })
  .openapi("Session", { example: EXAMPLES.Session });

export const CreateOperatorSessionIn = z
  .object({ ttl_seconds: z.number().int().min(SESSION_TTL_SECONDS.min).max(SESSION_TTL_SECONDS.max).optional().openapi({ example: 28800 }) })
  .strict()
  .openapi("CreateOperatorSession", { example: { ttl_seconds: 28800 } });

export const OperatorSessionOut = z
  .object({
    session_id: z.string(),
    token: z.string().openapi({ description: "Bearer credential acting as the operator until expires_at (or DELETE /v1/sessions/current); shown once" }),
    expires_at: z.string(),
  })
  .openapi("OperatorSession", { example: EXAMPLES.OperatorSession });

const HexColor = z
  .string()
  .regex(/^#[0-9A-Fa-f]{6}$/, "must be #RRGGBB")
  .openapi({ example: "#0B5FFF" });

export const BrandingIn = z
  .object({
    display_name: z.string().trim().min(1).max(80).nullable().optional(),
    logo_url: z.url({ protocol: /^https$/ }).max(2048).nullable().optional().openapi({ description: "https only", example: "https://cdn.example.com/logo.png" }),
    accent_color: HexColor.nullable().optional(),
  })
  .strict()
  .openapi("BrandingUpdate", { example: EXAMPLES.BrandingUpdate, description: "A field left out keeps its value; null clears it" });

export const BrandingOut = z
  .object({
    display_name: z.string().nullable(),
    logo_url: z.string().nullable(),
    accent_color: z.string().nullable(),
    source: z.enum(["own", "agency", "none"]).openapi({ description: "whose branding this is: the account's own, its agency's, or none set" }),
  })
  .openapi("Branding", { example: EXAMPLES.Branding });

export const AuditEntryOut = z
  .object({
    id: z.string().openapi({ example: "aud_3kX9pQ2mZ7rT1vB8nW4y" }),
    account_id: z.string(),
    account_name: z.string(),
    action: z.string().openapi({ example: "auto_recharge.updated" }),
    actor: z.object({
      type: z.enum(["api_key", "session", "operator"]),
      id: z.string(),
      label: z.string().openapi({ description: "who, in words: the key's name (or its prefix), `Payments page (owner)`, `The operator`" }),
    }),
    request_id: z.string(),
    changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).openapi({ description: "{field: [before, after]}" }),
    created_at: z.string(),
  })
  .openapi("AuditEntry", { example: EXAMPLES.AuditEntry });
