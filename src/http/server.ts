import { serve, type ServerType } from "@hono/node-server";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "./app.js";
import type { AppDeps } from "./context.js";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP server; port 0 picks a free one (tests). */
export async function startServer(deps: AppDeps, port: number, hostname = "127.0.0.1"): Promise<RunningServer> {
  const app = createApp(deps);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname }, () => resolve(s));
    s.once("error", reject); // e.g. EADDRINUSE: fail the start, do not crash later
  });
  const address = server.address() as AddressInfo;
  // Once closing, every answer says `Connection: close`: a client that keeps a connection busy
  // (a usage reporter in a loop) would otherwise hold close() open past any deadline, since
  // close() only stops new connections and ends idle ones.
  let closing = false;
  server.on("request", (_req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.setHeader("Connection", "close");
  });
  return {
    url: `http://${hostname}:${address.port}`,
    close: () =>
      new Promise((resolve, reject) => {
        closing = true;
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
