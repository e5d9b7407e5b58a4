import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context.js";

/**
 * `GET /docs`: the API reference, rendered in the browser from this service's own
 * `/openapi.json` by Redoc's standalone bundle — an npm dependency served from this origin,
 * never a CDN (the machines here and many deployments reach no CDN; and the page must not run
 * code from elsewhere). Read-only: Redoc sends no request but the document's.
 */
const REDOC_BUNDLE = createRequire(import.meta.url).resolve("redoc/bundles/redoc.standalone.js");
const REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
const EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E";

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>prepaid API reference</title>
    <style>body { margin: 0; }</style>
  </head>
  <body>
    <redoc spec-url="/openapi.json" hide-download-button="false" expand-responses="200,201" path-in-middle-panel="true"></redoc>
    <script src="/docs/redoc.standalone.js"></script>
  </body>
</html>
`;

/**
 * Its own CSP: scripts from this origin only (the bundle); Redoc's styled components inject
 * style tags and it runs its search in a blob: worker; nothing may frame it.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src blob:; frame-ancestors 'none'";

export function serveApiReference(app: OpenAPIHono<AppEnv>): void {
  let bundle: string | undefined;
  app.get("/docs", (c) => {
    c.header("Content-Security-Policy", CSP);
    c.header("Cache-Control", "no-cache");
    return c.html(PAGE);
  });
  app.get("/docs/redoc.standalone.js", (c) => {
    // Read once, on first use: 1.1 MB a process that never serves the page does not hold. Its
    // one hard-coded fetch from elsewhere (a logo at cdn.redoc.ly, in the sidebar's footer)
    // becomes an empty image here: the page asks no other origin for anything.
    bundle ??= readFileSync(REDOC_BUNDLE, "utf8").replaceAll(REDOC_LOGO, EMPTY_IMAGE);
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(bundle);
  });
}
