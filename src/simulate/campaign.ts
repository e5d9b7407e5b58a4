import { setTimeout as sleep } from "node:timers/promises";
import { createPrepaidClient, listAll, toMicros, unwrap } from "../../sdk/src/index.js";

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

function bar(balance: string): string {
  const scaled = (toMicros(balance) * BigInt(BAR_WIDTH)) / FULL_BAR_MICROS;
  const filled = Number(scaled < 0n ? 0n : scaled > BigInt(BAR_WIDTH) ? BigInt(BAR_WIDTH) : scaled);
  return `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}]`;
}

/**
 * The demo campaign: a wallet with Auto-Recharge drains under concurrent calls, recharges,
 * then its card starts declining, the account pauses, and a new card resumes it.
 */
export async function runCampaign(options: CampaignOptions): Promise<void> {
  // Through the SDK, as an integrator would: typed requests, an Idempotency-Key on every POST
  // and PUT, retries of lost answers.
  const operator = createPrepaidClient({ baseUrl: options.baseUrl, apiKey: options.adminKey });
  const say = (line: string) => options.out.write(`${line}\n`);
  const tty = options.out.isTTY;

  const account = await unwrap(operator.POST("/v1/accounts", { body: { name: "Demo campaign", type: "user", web_widget: true } }));
  const id = account.id;
  const { key } = await unwrap(operator.POST("/v1/accounts/{id}/api-keys", { params: { path: { id } } }));
  await unwrap(operator.POST("/v1/accounts/{id}/adjustments", { params: { path: { id } }, body: { amount: "12.00", reason: "demo opening credit" } }));
  const api = createPrepaidClient({ baseUrl: options.baseUrl, apiKey: key });
  const card = (number: string) => ({ number, exp_month: 12, exp_year: 2034, cvc: "123" });
  await unwrap(api.POST("/v1/accounts/{id}/payment-methods", { params: { path: { id } }, body: { card: card("4242 4242 4242 4242") } }));
  await unwrap(api.PUT("/v1/accounts/{id}/auto-recharge", { params: { path: { id } }, body: { enabled: true, threshold: "10", amount: "50" } }));
  say(`Demo account ${id}: $12.00, Web Widget on ($0.16/min), Auto-Recharge $50 below $10 on Visa •••• 4242.`);
  say(`Running ${options.calls} concurrent calls, ${options.secondsPerTick} s of talk per tick.`);
  say("Each line: balance, minutes left at the rate | calls running, calls refused | recharges ✓ paid ✗ failed | account status / Auto-Recharge state (idle: on and waiting, recharging: a charge in flight, failing: the card failed) | what is happening.\n");

  const elapsed = new Map<string, number>();
  let refused = 0;
  const startCalls = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const { data } = await api.POST("/v1/calls", { body: { account_id: id } });
      if (data) elapsed.set(data.call_id, 0);
      else refused++;
    }
  };

  const status = async (): Promise<Status> => {
    const a = await unwrap(api.GET("/v1/accounts/{id}", { params: { path: { id } } }));
    const recharges = await listAll((cursor) => unwrap(api.GET("/v1/accounts/{id}/recharges", { params: { path: { id }, query: { limit: 100, cursor } } })));
    return {
      balance: a.balance,
      minutes: a.minutes_available,
      rate: a.rate_per_minute,
      status: a.status,
      state: a.auto_recharge.state,
      succeeded: recharges.filter((x) => x.status === "succeeded").length,
      failed: recharges.filter((x) => x.status === "failed").length,
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
    const res = await unwrap(api.POST("/v1/usage", { body: { events } }));
    for (const [i, result] of res.data.entries()) {
      const event = events[i]!;
      if (result.action === "end_call") {
        await unwrap(api.POST("/v1/calls/{id}/end", { params: { path: { id: event.call_id } }, body: { elapsed_seconds: event.elapsed_seconds } }));
        elapsed.delete(event.call_id);
      } else {
        elapsed.set(event.call_id, event.elapsed_seconds);
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
  await unwrap(api.POST("/v1/accounts/{id}/payment-methods", { params: { path: { id } }, body: { card: card("4000 0000 0000 0341"), default: true } }));
  await runUntil("declining card", (s) => s.status === "paused" && s.active === 0);
  const notifications = (limit: number) => unwrap(api.GET("/v1/accounts/{id}/notifications", { params: { path: { id }, query: { limit } } }));
  const failure = (await notifications(20)).data.find((n) => n.type === "recharge.failed");
  say(`✗ ${failure?.message ?? "The recharge failed."}`);
  const refusedCall = await api.POST("/v1/calls", { body: { account_id: id } });
  if (refusedCall.error) refused++;
  say(`✗ Account paused: a new call is refused with ${refusedCall.response.status} ${refusedCall.error?.error.code} (refused calls so far: ${refused}).\n`);

  say("Adding a working card (4242 4242 4242 4242) retries at once…");
  await unwrap(api.POST("/v1/accounts/{id}/payment-methods", { params: { path: { id } }, body: { card: card("4242 4242 4242 4242") } }));
  const resumed = await runUntil("resuming", (s) => s.status === "active" && s.state === "idle", 100);
  say(`✓ Account ${resumed.status} again: balance $${resumed.balance}, ${resumed.succeeded} recharge(s) succeeded, ${resumed.failed} failed.`);
  const latest = (await notifications(5)).data;
  say("\nLatest notifications:");
  for (const n of latest) say(`  ${n.type.padEnd(26)} ${n.message}`);
}
