import net from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import type { HostResolver } from "../../src/notifications/outbound-guard.js";
import { waitFor } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// The names and what they resolve to; no lookup leaves the process, and a test may change them.
const DNS: Record<string, string[]> = {
  "loopback.example.test": ["127.0.0.1"],
  "metadata.example.test": ["169.254.169.254"],
  "mixed.example.test": ["203.0.113.10", "10.1.2.3"],
  "hooks.example.test": ["203.0.113.10"],
};
const resolveHost: HostResolver = async (hostname) => {
  const addresses = DNS[hostname];
  if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
  return addresses.map((address) => ({ address, family: net.isIP(address) }));
};

// Every connection this process opens is recorded; one to anywhere but loopback is stopped
// before it leaves (and fails the test below), so a broken guard cannot reach another host.
const attempts: string[] = [];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const options = (typeof args[0] === "object" && args[0] !== null ? args[0] : { port: args[0], host: args[1] }) as { host?: string; path?: string };
  if (!options.path) {
    const host = options.host ?? "localhost";
    attempts.push(host);
    if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
      this.destroy(new Error(`test: no connection to ${host}`));
      return this;
    }
  }
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PREPAID_WORKER_POLL_MS: "50", PREPAID_DELIVERY_RETRY_DELAYS: "100ms" }, { resolveHost });
});
afterAll(async () => {
  await app?.close();
  net.Socket.prototype.connect = connect;
});

describe("webhook URLs that reach this machine or a private network", () => {
  it.each([
    "https://127.1/hook",
    "https://2130706433/hook",
    "https://0x7f.1/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::1]/hook",
    "https://0.0.0.0/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://[fe80::1]/hook",
    "https://[fec0::1]/", // site-local (issue 27, item 9)
    "https://224.0.0.1/hook",
    "https://loopback.example.test/hook",
    "https://metadata.example.test/hook",
    "https://mixed.example.test/hook",
    "http://127.0.0.1:9/hook",
  ])("are refused at registration: %s", async (url) => {
    const { id, key } = await app.createAccount({ name: "SSRF", type: "user" });
    const res = await app.request("POST", `/v1/accounts/${id}/webhook-endpoints`, { key, body: { url } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect((await app.request("GET", `/v1/accounts/${id}/webhook-endpoints`, { key })).body.data).toHaveLength(0);
  });

  it("are refused again at delivery when the name has come to resolve to one, with no connection attempted", async () => {
    const { id, key } = await app.createAccount({ name: "Rebinding", type: "user" });
    const made = await app.request("POST", `/v1/accounts/${id}/webhook-endpoints`, { key, body: { url: "https://hooks.example.test/hook" } });
    expect(made.status).toBe(201);
    DNS["hooks.example.test"] = ["10.0.0.5"];
    attempts.length = 0;
    // Saving settings notifies (auto_recharge.updated): one delivery to the endpoint.
    expect((await app.request("PUT", `/v1/accounts/${id}/auto-recharge`, { key, body: { enabled: false } })).status).toBe(200);
    const [delivery] = await waitFor("the delivery to be tried", async () => {
      const rows = await queryRows<{ attempts: number; last_error: string | null }>(
        app.db.db,
        // Claimed (attempts > 0) and recorded (an error, or delivered): the claim alone comes first.
        sql`select attempts, last_error from deliveries where account_id = ${id} and channel = 'webhook'
              and attempts > 0 and (last_error is not null or status <> 'pending')`,
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(delivery!.last_error).toBe("refused: it points to a private, loopback, link-local, multicast or reserved address");
    expect(attempts.filter((host) => !["127.0.0.1", "localhost", "::1"].includes(host))).toEqual([]);
  });
});
