import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context.js";

/** Where `npm run build:web` (vite) puts the dashboard; `npm start` builds it first. */
export const WEB_DIST_DIR = fileURLToPath(new URL("../../web/dist", import.meta.url));

/** Paths the API owns: everything else under GET is the dashboard (a single-page app). */
const API_PATH = /^\/(v1\/|v1$|openapi\.json$|healthz$|readyz$|metrics$|docs$|docs\/)/;

/**
 * Stripe's origins, as Stripe's security guide lists them for Stripe.js and its Payment Element:
 * the script and its frames come from js.stripe.com, a bank's 3-D Secure challenge from
 * hooks.stripe.com, and Stripe.js calls api.stripe.com. Admitted only in Stripe mode.
 */
const STRIPE_SOURCES = {
  script: "https://js.stripe.com https://*.js.stripe.com",
  frame: "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
  connect: "https://api.stripe.com",
} as const;

/**
 * The dashboard talks to this origin only; with Stripe, Stripe.js (loaded from Stripe) shows
 * the card fields and the bank's challenge in Stripe's own frames and talks to Stripe's API —
 * the card goes there, never here. recharts sets inline styles, so 'unsafe-inline' for styles
 * only. Logos are https images (branding). Only PREPAID_EMBED_ORIGINS may frame it; with none
 * set, nobody may.
 */
export const contentSecurityPolicy = (payments: "sandbox" | "stripe", embedOrigins: readonly string[]) => {
  const stripe = payments === "stripe";
  return (
    `default-src 'self'; script-src 'self'${stripe ? ` ${STRIPE_SOURCES.script}` : ""}; ` +
    `connect-src 'self'${stripe ? ` ${STRIPE_SOURCES.connect}` : ""}; ` +
    `frame-src ${stripe ? STRIPE_SOURCES.frame : "'none'"}; ` +
    `style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; ` +
    `frame-ancestors ${embedOrigins.length > 0 ? embedOrigins.join(" ") : "'none'"}`
  );
};

/**
 * The allowed parent origins, handed to the page in a meta tag: it posts its messages to them
 * only and listens to no one else. An attribute value, so escaped for HTML.
 */
const embedMeta = (embedOrigins: readonly string[]) =>
  `<meta name="prepaid-embed-origins" content="${embedOrigins.join(" ").replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;")}" />`;

/**
 * Serves the built dashboard at `/`. Hashed files under /assets may be cached for good;
 * any other path answers index.html so that a reload on /subaccounts/… still opens the app.
 */
export function serveDashboard(
  app: OpenAPIHono<AppEnv>,
  options: { payments?: "sandbox" | "stripe"; embedOrigins?: readonly string[]; distDir?: string } = {},
): void {
  const distDir = options.distDir ?? WEB_DIST_DIR;
  const embedOrigins = options.embedOrigins ?? [];
  const CSP = contentSecurityPolicy(options.payments ?? "sandbox", embedOrigins);
  const indexPath = `${distDir}/index.html`;
  app.use("/assets/*", async (c, next) => {
    await next();
    if (c.res.status === 200) c.header("Cache-Control", "public, max-age=31536000, immutable");
  });
  // Created only when the build exists: serveStatic complains at creation about a missing root.
  const files = existsSync(distDir) ? serveStatic<AppEnv>({ root: distDir }) : undefined;
  app.get("*", async (c, next) => {
    if (API_PATH.test(c.req.path)) return next();
    c.header("Content-Security-Policy", CSP);
    if (files && c.req.path !== "/" && c.req.path !== "/index.html") {
      const served = await files(c, async () => {});
      if (served) return served;
      if (c.req.path.startsWith("/assets/")) return next(); // a missing asset is a 404, not the app
    }
    if (!existsSync(indexPath)) {
      return c.text("The dashboard is not built. Run `npm run build:web` (npm start does it), then reload.\n", 503);
    }
    c.header("Cache-Control", "no-cache");
    return c.html((await readFile(indexPath, "utf8")).replace("</head>", `${embedMeta(embedOrigins)}</head>`));
  });
}
