import http from "node:http";

/** A keep-alive HTTP client: fetch's per-request cost would cap the load generator first. */
export class LoadClient {
  private readonly agent: http.Agent;
  private readonly url: URL;
  constructor(baseUrl: string, sockets: number) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  post(path: string, key: string, body: unknown): Promise<{ status: number; text: string }> {
    return this.postRaw(path, { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, JSON.stringify(body));
  }

  /** A request with its own headers and raw body (a provider's signed webhook). */
  postRaw(path: string, headers: Record<string, string>, payload: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent: this.agent, host: this.url.hostname, port: this.url.port, path, method: "POST", headers: { ...headers, "Content-Length": Buffer.byteLength(payload) } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `workers` closed loops of `step` for `durationMs`; returns how many steps completed. */
export async function closedLoop(workers: number, durationMs: number, step: (worker: number, iteration: number) => Promise<number>): Promise<{ units: number; seconds: number }> {
  const deadline = Date.now() + durationMs;
  const started = performance.now();
  let units = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; Date.now() < deadline; i++) {
        // Not `units += await step()`: that reads `units` before the await and loses the
        // other loops' counts.
        const done = await step(w, i);
        units += done;
      }
    }),
  );
  return { units, seconds: (performance.now() - started) / 1000 };
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))]!;
}
