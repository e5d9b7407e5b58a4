import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { chooseDeliveries } from "../../src/notifications/delivery-worker.js";
import { generateKey } from "../../src/accounts/api-keys.js";
import { waitFor } from "../support/scenario.js";
import { sharedDatabase, spawnServer, type ServerProcess } from "../support/processes.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { onPostgres } from "../support/test-database.js";

// Issue 27, item 6 (docs/concepts.md): one tenant's webhook receiver must not stall another's. A try
// is cut at PREPAID_WEBHOOK_TIMEOUT_MS as a whole, never reads the answer's body, tries run
// side by side with a per-endpoint limit, and a try still in flight is never sent again.

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** Retries an hour apart: every request a receiver sees below is a first try, or a re-send of one. */
const ENV = { PREPAID_WEBHOOK_ALLOW_PRIVATE: "true", PREPAID_DELIVERY_RETRY_DELAYS: "1h", PREPAID_WORKER_POLL_MS: "50", PREPAID_WEBHOOK_TIMEOUT_MS: "1500" };

async function listen<T extends HttpServer | TcpServer>(server: T): Promise<{ server: T; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

/** Answers 200 at once, then streams 64 KiB every 10 ms for up to 20 s: counts requests, open connections and bytes the client took. */
function streamingReceiver() {
  const seen = { requests: 0, open: 0, bytesTaken: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const server = createHttpServer((req, res) => {
    seen.requests += 1;
    seen.open += 1;
    req.resume();
    res.writeHead(200, { "Content-Type": "application/octet-stream" });
    const chunk = Buffer.alloc(64 * 1024, 120);
    let rounds = 0;
    const timer = setInterval(() => {
      if (++rounds > 2_000 || res.destroyed) return stop();
      res.write(chunk, (error) => {
        if (!error) seen.bytesTaken += chunk.length;
      });
    }, 10);
    timers.add(timer);
    const stop = () => {
      clearInterval(timer);
      timers.delete(timer);
      if (!res.destroyed) res.destroy();
    };
    res.on("close", () => {
      seen.open -= 1;
      stop();
    });
  });
  cleanups.push(async () => timers.forEach((t) => clearInterval(t)));
  return { server, seen };
}

/** Accepts connections and never answers: a hanging receiver. Counts connections, when each came, and how many are open. */
function hangingReceiver() {
  const seen = { connections: 0, open: 0, maxOpen: 0, startedAt: [] as number[] };
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    seen.connections += 1;
    seen.startedAt.push(Date.now());
    seen.open += 1;
    seen.maxOpen = Math.max(seen.maxOpen, seen.open);
    sockets.add(socket);
    socket.on("data", () => {});
    socket.on("close", () => {
      seen.open -= 1;
      sockets.delete(socket);
    });
    socket.on("error", () => {});
  });
  cleanups.push(async () => sockets.forEach((s) => s.destroy()));
  return { server, seen };
}

/**
 * Sends a status line and then one header byte every 100 ms for 20 s: each byte resets a
 * socket idle timer, so only a deadline on the whole try ends it. Counts requests.
 */
function tricklingReceiver() {
  const seen = { requests: 0 };
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    let counted = false;
    socket.on("data", () => {
      if (counted) return;
      counted = true;
      seen.requests += 1;
      socket.write("HTTP/1.1 200 OK\r\nX-Slow: ");
      let n = 0;
      const timer = setInterval(() => {
        if (++n > 200 || socket.destroyed) {
          clearInterval(timer);
          socket.destroy();
          return;
        }
        socket.write("a");
      }, 100);
      socket.on("close", () => clearInterval(timer));
    });
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  cleanups.push(async () => sockets.forEach((s) => s.destroy()));
  return { server, seen };
}

/** A normal receiver: records when each event arrived. */
function promptReceiver() {
  const arrivals: Array<{ at: number; type: string }> = [];
  const server = createHttpServer((req, res) => {
    req.resume();
    arrivals.push({ at: Date.now(), type: String(req.headers["prepaid-event-type"]) });
    res.writeHead(204).end();
  });
  return { server, arrivals };
}

type Client = (method: string, path: string, key: string, body?: unknown) => Promise<{ status: number; body: any }>;

async function accountWithEndpoint(request: Client, adminKey: string, url: string) {
  const created = await request("POST", "/v1/accounts", adminKey, { name: "Webhook tenant", type: "user" });
  const key = await request("POST", `/v1/accounts/${created.body.id}/api-keys`, adminKey);
  const endpoint = await request("POST", `/v1/accounts/${created.body.id}/webhook-endpoints`, key.body.key, { url });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  return { id: created.body.id as string, key: key.body.key as string };
}

/** One notification (auto_recharge.updated) for the account, so one delivery per endpoint. */
async function oneEvent(request: Client, account: { id: string; key: string }, n: number) {
  const saved = await request("PUT", `/v1/accounts/${account.id}/auto-recharge`, account.key, { threshold: `${10 + n}.00` });
  expect(saved.status).toBe(200);
}

function clientOf(app: TestApp): Client {
  return (method, path, key, body) => app.request(method, path, { key, ...(body === undefined ? {} : { body }) });
}

describe("one tenant's webhook receiver cannot stall another's", () => {
  it("a receiver that answers 200 and streams forever: counted delivered at its status, its body never read; another tenant's event arrives at once", async () => {
    const app = await startTestApp(ENV);
    cleanups.push(() => app.close());
    const request = clientOf(app);
    const hostile = streamingReceiver();
    const prompt = promptReceiver();
    const [h, p] = await Promise.all([listen(hostile.server), listen(prompt.server)]);
    const noisy = await accountWithEndpoint(request, app.adminKey, h.url);
    const quiet = await accountWithEndpoint(request, app.adminKey, p.url);
    for (let i = 0; i < 5; i++) await oneEvent(request, noisy, i);
    await waitFor("the hostile receiver to be reached", async () => (hostile.seen.requests > 0 ? true : undefined));
    const sent = Date.now();
    await oneEvent(request, quiet, 0);
    await waitFor("the quiet tenant's event", async () => (prompt.arrivals.length > 0 ? true : undefined), 5_000);
    // Before: it waited for the stream to end (30 s in the probe). Now: the next claim.
    expect(prompt.arrivals[0]!.at - sent).toBeLessThan(1_500);
    await waitFor("every hostile delivery recorded", async () => {
      const log = await request("GET", `/v1/accounts/${noisy.id}/deliveries`, noisy.key);
      return log.body.data.length === 5 && log.body.data.every((d: { status: string }) => d.status === "delivered") ? log.body.data : undefined;
    });
    // Each try was one request, closed as soon as its status was known: a few chunks at most
    // were taken off the socket, not the 157 MiB the probe saw.
    expect(hostile.seen.requests).toBe(5);
    await waitFor("the hostile connections closed", async () => (hostile.seen.open === 0 ? true : undefined), 5_000);
    expect(hostile.seen.bytesTaken).toBeLessThan(4 * 1024 * 1024);
  });

  it("a receiver that never answers: each try ends at the timeout, at most PREPAID_WEBHOOK_PER_ENDPOINT at once, and another tenant is not delayed", async () => {
    const app = await startTestApp(ENV);
    cleanups.push(() => app.close());
    const request = clientOf(app);
    const hanging = hangingReceiver();
    const prompt = promptReceiver();
    const [h, p] = await Promise.all([listen(hanging.server), listen(prompt.server)]);
    const noisy = await accountWithEndpoint(request, app.adminKey, h.url);
    const quiet = await accountWithEndpoint(request, app.adminKey, p.url);
    const started = Date.now();
    for (let i = 0; i < 6; i++) await oneEvent(request, noisy, i);
    await waitFor("two tries at the hanging receiver", async () => (hanging.seen.open === 2 ? true : undefined));
    const sent = Date.now();
    await oneEvent(request, quiet, 0);
    await waitFor("the quiet tenant's event", async () => (prompt.arrivals.length > 0 ? true : undefined), 5_000);
    expect(prompt.arrivals[0]!.at - sent).toBeLessThan(1_000);
    // Six tries, two at a time, each cut at 1.5 s: three rounds, about 4.5 s.
    const failed = await waitFor(
      "every hanging try recorded",
      async () => {
        const log = await request("GET", `/v1/accounts/${noisy.id}/deliveries`, noisy.key);
        const tried = log.body.data.filter((d: { attempts: number; last_error: string | null }) => d.attempts === 1 && d.last_error !== null);
        return tried.length === 6 ? tried : undefined;
      },
      15_000,
    );
    expect(failed.map((d: { last_error: string }) => d.last_error)).toEqual(Array(6).fill("no HTTP answer (connection failed or timed out)"));
    expect(Date.now() - started).toBeGreaterThan(4_000);
    expect(hanging.seen.connections).toBe(6);
    // Never more than two tries at once: within any 1.2 s (less than a try's 1.5 s) at most two
    // started. (Counting open sockets at the receiver would count a closed try whose FIN is
    // still on its way as open.)
    for (const start of hanging.seen.startedAt) {
      expect(hanging.seen.startedAt.filter((t) => t <= start && t > start - 1_200).length).toBeLessThanOrEqual(2);
    }
  });
});

describe("which due deliveries a claim takes (pure)", () => {
  it("oldest first, at most the free slots, and per endpoint no more than its free slots; emails have no endpoint limit", () => {
    const candidates = [
      { id: "d1", endpoint_id: "we_a", busy: 1 },
      { id: "d2", endpoint_id: "we_a", busy: 1 },
      { id: "d3", endpoint_id: "we_b", busy: 0 },
      { id: "d4", endpoint_id: null, busy: 0 },
      { id: "d5", endpoint_id: "we_b", busy: 0 },
      { id: "d6", endpoint_id: "we_b", busy: 0 },
      { id: "d7", endpoint_id: null, busy: 0 },
    ];
    expect(chooseDeliveries(candidates, 16, 2)).toEqual(["d1", "d3", "d4", "d5", "d7"]);
    expect(chooseDeliveries(candidates, 3, 2)).toEqual(["d1", "d3", "d4"]);
    expect(chooseDeliveries(candidates, 16, 1)).toEqual(["d3", "d4", "d7"]);
  });
});

// Two server processes share the queue. Before, a receiver that kept the try alive (a byte of
// headers every 100 ms resets a socket idle timer) outlived the claim's lease, and the other
// process sent the same event again while the first try was still in flight.
describe.runIf(onPostgres)("two processes, one receiver that keeps a try alive", () => {
  it("the try is cut at the timeout and recorded once: the event is never sent again while in flight", async () => {
    const shared = await sharedDatabase();
    const adminKey = generateKey();
    const env = { ...shared.env, ...ENV, PREPAID_WEBHOOK_TIMEOUT_MS: "2000", PREPAID_ADMIN_KEY: adminKey, PREPAID_DEMO: "false" };
    const servers: ServerProcess[] = [];
    cleanups.push(async () => Promise.all(servers.map((s) => s.kill())));
    servers.push(await spawnServer(env));
    servers.push(await spawnServer(env));
    const request: Client = async (method, path, key, body) => {
      const res = await fetch(`${servers[0]!.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const trickling = tricklingReceiver();
    const t = await listen(trickling.server);
    const account = await accountWithEndpoint(request, adminKey, t.url);
    await oneEvent(request, account, 0);
    // Twice the old lease (2 × 2 s + 5 s = 9 s) and more: a re-send would have come by now.
    await sleep(12_000);
    expect(trickling.seen.requests).toBe(1);
    const log = await request("GET", `/v1/accounts/${account.id}/deliveries`, account.key);
    expect(log.body.data).toEqual([expect.objectContaining({ status: "pending", attempts: 1, last_error: "no HTTP answer (connection failed or timed out)" })]);
  }, 60_000);
});
