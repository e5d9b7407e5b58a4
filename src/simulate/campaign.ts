import { setTimeout as sleep } from "node:timers/promises";

/** A small API client for the demo: every step goes through the public HTTP API. */
class Client {
  constructor(private readonly baseUrl: string) {}

  async call<T = any>(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async ok<T = any>(method: string, path: string, key: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, key, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

export interface CampaignOptions {
  baseUrl: string;
  adminKey: string;
  calls: number;
  /** Simulated seconds each call advances per tick. */
  secondsPerTick: number;
  out: NodeJS.WriteStream;
}

interface Status {
  balance: string;
  minutes: string;
  rate: string;
  status: string;
  state: string;
  succeeded: number;
  failed: number;
  active: number;
  refused: number;
}

const BAR_WIDTH = 24;
/** A full bar: the $12 opening balance plus one $50 recharge. */
const FULL_BAR_MICROS = 62_000_000n;

/** The API's decimal balance ("-0.72", "49.813334") as µUSD; money stays a bigint, even on a progress bar. */
function balanceMicros(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new Error(`assertion: not a balance: ${text}`);
  const micros = BigInt(match[2]!) * 1_000_000n + BigInt((match[3] ?? "").padEnd(6, "0"));
  return match[1] === "-" ? -micros : micros;
}

function bar(balance: string): string {
  const scaled = (balanceMicros(balance) * BigInt(BAR_WIDTH)) / FULL_BAR_MICROS;
  const filled = Number(scaled < 0n ? 0n : scaled > BigInt(BAR_WIDTH) ? BigInt(BAR_WIDTH) : scaled);
  return `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}]`;
}

/**
 * The demo campaign: a wallet with Auto-Recharge drains under concurrent calls, recharges,
 * then its card starts declining, the account pauses, and a new card resumes it.
 */
export async function runCampaign(options: CampaignOptions): Promise<void> {
  const api = new Client(options.baseUrl);
  const say = (line: string) => options.out.write(`${line}\n`);
  const tty = options.out.isTTY;

  const account = await api.ok("POST", "/v1/accounts", options.adminKey, { name: "Demo campaign", type: "user", web_widget: true });
  const { key } = await api.ok("POST", `/v1/accounts/${account.id}/api-keys`, options.adminKey);
  await api.ok("POST", `/v1/accounts/${account.id}/adjustments`, options.adminKey, { amount: "12.00", reason: "demo opening credit" });
  await api.ok("POST", `/v1/accounts/${account.id}/payment-methods`, key, { card: { number: "4242 4242 4242 4242", exp_month: 12, exp_year: 2034, cvc: "123" } });
  await api.ok("PUT", `/v1/accounts/${account.id}/auto-recharge`, key, { enabled: true, threshold: "10", amount: "50" });
  say(`Demo account ${account.id}: $12.00, Web Widget on ($0.16/min), Auto-Recharge $50 below $10 on Visa •••• 4242.`);
  say(`Running ${options.calls} concurrent calls, ${options.secondsPerTick} s of talk per tick.\n`);

  const elapsed = new Map<string, number>();
  let refused = 0;
  const startCalls = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const res = await api.call("POST", "/v1/calls", key, { account_id: account.id });
      if (res.status === 201) elapsed.set(res.body.call_id, 0);
      else refused++;
    }
  };

  const status = async (): Promise<Status> => {
    const a = await api.ok("GET", `/v1/accounts/${account.id}`, key);
    const r = await api.ok("GET", `/v1/accounts/${account.id}/recharges?limit=100`, key);
    return {
      balance: a.balance,
      minutes: a.minutes_available,
      rate: a.rate_per_minute,
      status: a.status,
      state: a.auto_recharge.state,
      succeeded: r.data.filter((x: { status: string }) => x.status === "succeeded").length,
      failed: r.data.filter((x: { status: string }) => x.status === "failed").length,
      active: elapsed.size,
      refused,
    };
  };

  const draw = (s: Status, phase: string) => {
    const line =
      `${bar(s.balance)} $${s.balance.padStart(10)} ≈ ${s.minutes.padStart(7)} min @ $${s.rate}` +
      ` | calls ${String(s.active).padStart(3)} refused ${s.refused} | recharges ✓${s.succeeded} ✗${s.failed} | ${s.status}/${s.state} | ${phase}`;
    options.out.write(tty ? `\r${line}` : `${line}\n`);
  };

  /** Advances every running call one tick (one batch report); ends calls told to end. */
  const tick = async () => {
    const events = [...elapsed].map(([call_id, seconds]) => ({ call_id, elapsed_seconds: seconds + options.secondsPerTick }));
    if (events.length === 0) return;
    const res = await api.ok("POST", "/v1/usage", key, { events });
    for (const [i, result] of (res.data as Array<{ action: string }>).entries()) {
      const callId = events[i]!.call_id;
      if (result.action === "end_call") {
        await api.ok("POST", `/v1/calls/${callId}/end`, key, { elapsed_seconds: events[i]!.elapsed_seconds });
        elapsed.delete(callId);
      } else {
        elapsed.set(callId, events[i]!.elapsed_seconds);
      }
    }
  };

  const runUntil = async (phase: string, done: (s: Status) => boolean, maxTicks = 400) => {
    for (let i = 0; i < maxTicks; i++) {
      await tick();
      const s = await status();
      draw(s, phase);
      if (done(s)) {
        if (tty) options.out.write("\n");
        return s;
      }
      if (elapsed.size < options.calls && s.status === "active") await startCalls(options.calls - elapsed.size);
      await sleep(60);
    }
    if (tty) options.out.write("\n");
    return status();
  };

  await startCalls(options.calls);
  await runUntil("draining → Auto-Recharge", (s) => s.succeeded >= 1 && s.state === "idle");
  say("✓ The balance fell below $10 and Auto-Recharge charged $50, once.\n");

  say("Now the card starts declining (test card 4000 0000 0000 0341 becomes the default)…");
  await api.ok("POST", `/v1/accounts/${account.id}/payment-methods`, key, {
    card: { number: "4000 0000 0000 0341", exp_month: 12, exp_year: 2034, cvc: "123" },
    default: true,
  });
  await runUntil("declining card", (s) => s.status === "paused" && s.active === 0);
  const feed = await api.ok("GET", `/v1/accounts/${account.id}/notifications?limit=20`, key);
  const failure = feed.data.find((n: { type: string }) => n.type === "recharge.failed");
  say(`✗ ${failure?.message ?? "The recharge failed."}`);
  const refusedCall = await api.call("POST", "/v1/calls", key, { account_id: account.id });
  say(`✗ Account paused: a new call is refused with ${refusedCall.status} ${refusedCall.body.error?.code}.\n`);

  say("Adding a working card (4242 4242 4242 4242) retries at once…");
  await api.ok("POST", `/v1/accounts/${account.id}/payment-methods`, key, {
    card: { number: "4242 4242 4242 4242", exp_month: 12, exp_year: 2034, cvc: "123" },
  });
  const resumed = await runUntil("resuming", (s) => s.status === "active" && s.state === "idle", 100);
  say(`✓ Account ${resumed.status} again: balance $${resumed.balance}, ${resumed.succeeded} recharge(s) succeeded, ${resumed.failed} failed.`);
  const latest = (await api.ok("GET", `/v1/accounts/${account.id}/notifications?limit=5`, key)).data as Array<{ type: string; message: string }>;
  say("\nLatest notifications:");
  for (const n of latest) say(`  ${n.type.padEnd(26)} ${n.message}`);
}
