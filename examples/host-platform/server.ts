/**
 * VoxFlow — a fictional voice-AI platform, to show how a platform puts prepaid's Payments page
 * inside its own app (docs/embedding.md). Its backend holds the prepaid operator key and mints
 * a session link for the signed-in user when they click "Payments"; its page frames the link and
 * listens to the page's messages. It asks prepaid through the SDK (sdk/: typed calls, an
 * Idempotency-Key and safe retries); a platform on another stack does the same three things
 * with its own HTTP client.
 *
 *   PREPAID_URL=http://127.0.0.1:3000 PREPAID_ADMIN_KEY=ppk_… VOXFLOW_ACCOUNT_ID=acct_… \
 *     node --import tsx examples/host-platform/server.ts
 *
 * and add its origin to prepaid's PREPAID_EMBED_ORIGINS (http://127.0.0.1:4000 by default).
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createPrepaidClient } from "../../sdk/src/index.js";

export interface HostOptions {
  /** Where prepaid runs: its API mints links, its page is framed. */
  prepaidUrl: string;
  /** The operator key — kept on this backend only, never sent to the browser. */
  operatorKey: string;
  /** The prepaid account of VoxFlow's signed-in user (a real platform looks it up per user). */
  accountId: string;
  /** What this user may do on the Payments page. */
  role?: "owner" | "viewer";
  /** How long a Payments session lasts (60 s to 12 h; 1 h here). */
  ttlSeconds?: number;
  port?: number;
  host?: string;
}

const PAGE = fileURLToPath(new URL("./page.html", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./page.js", import.meta.url));

/** Options are read at each request, so a test may start this first and fill them in after. */
export async function startHostPlatform(options: HostOptions): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    try {
      const prepaid = new URL(options.prepaidUrl);
      if (req.method === "GET" && (req.url === "/" || req.url?.startsWith("/?"))) {
        const html = (await readFile(PAGE, "utf8")).replace("%PREPAID_ORIGIN%", prepaid.origin);
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
        return res.end(html);
      }
      if (req.method === "GET" && req.url === "/page.js") {
        res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8" });
        return res.end(await readFile(SCRIPT, "utf8"));
      }
      if (req.method === "POST" && req.url === "/api/payments-link") {
        // The platform's own backend, with its own session check (omitted here), asks prepaid for
        // a link for this user. The link's code works once, for 60 s: mint one per click.
        const client = createPrepaidClient({ baseUrl: prepaid.origin, apiKey: options.operatorKey });
        const { data, error } = await client.POST("/v1/accounts/{id}/sessions", {
          params: { path: { id: options.accountId } },
          body: { role: options.role ?? "owner", ttl_seconds: options.ttlSeconds ?? 3600, return_url: `http://${req.headers.host}/` },
        });
        res.writeHead(data ? 200 : 502, { "Content-Type": "application/json" });
        return res.end(JSON.stringify(data ? { url: data.url } : { error: error?.error.message ?? "prepaid refused" }));
      }
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found");
    } catch (error) {
      res.writeHead(502, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: `prepaid unreachable: ${(error as Error).message}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const need = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required (see the top of examples/host-platform/server.ts)`);
    return value;
  };
  const started = await startHostPlatform({
    prepaidUrl: process.env.PREPAID_URL ?? "http://127.0.0.1:3000",
    operatorKey: need("PREPAID_ADMIN_KEY"),
    accountId: need("VOXFLOW_ACCOUNT_ID"),
    role: process.env.VOXFLOW_ROLE === "viewer" ? "viewer" : "owner",
    port: Number(process.env.PORT ?? 4000),
  });
  console.log(`VoxFlow (example host platform) at ${started.url}`);
}
