/**
 * A voice agent's side of prepaid (docs/voice-agents.md), with the SDK: authorise the call
 * before connecting, report its cumulative seconds while it talks, close politely on `wrap_up`,
 * hang up on `end_call`, and always end the call. The "call" here is simulated — time runs
 * `--speed` times faster and the agent's words are printed — so it runs against `npm start`:
 *
 *   PREPAID_URL=http://127.0.0.1:3000 PREPAID_KEY=ppk_… PREPAID_ACCOUNT_ID=acct_… \
 *     node --import tsx examples/voice-agent/agent.ts --seconds 600 --speed 60
 *
 * (the demo user that `npm start` prints has $12: at $0.18 a minute a 600 s call is covered;
 * try a longer one, or a smaller balance, to hear the wrap-up.)
 */
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createPrepaidClient } from "../../sdk/src/index.js";

export interface AgentCall {
  baseUrl: string;
  apiKey: string;
  accountId: string;
  callId: string;
  /** How long the caller would talk if the credit allowed it. */
  plannedSeconds: number;
  /** Seconds of call between two usage reports (docs: every 15–60 s). */
  reportEverySeconds?: number;
  /** Real milliseconds per call second: 1000 is real time; a test runs it at 0. */
  msPerSecond?: number;
  /** What the agent says and does, line by line. */
  say?: (line: string) => void;
}

export interface AgentOutcome {
  /** "refused: <code>", "hung up: end_call", "caller hung up", … */
  ending: string;
  billedSeconds: number;
  /** Each report's [cumulative seconds, action]. */
  reports: Array<[number, string]>;
}

export async function runAgentCall(call: AgentCall): Promise<AgentOutcome> {
  const prepaid = createPrepaidClient({ baseUrl: call.baseUrl, apiKey: call.apiKey });
  const say = call.say ?? (() => {});
  const every = call.reportEverySeconds ?? 15;
  const tick = (seconds: number) => sleep(seconds * (call.msPerSecond ?? 1000));

  // 1. Before connecting: may this call start?
  const start = await prepaid.POST("/v1/calls", { body: { account_id: call.accountId, call_id: call.callId } });
  if (start.error) {
    say(`Refused before connecting (${start.error.error.code}): ${start.error.error.message}`);
    return { ending: `refused: ${start.error.error.code}`, billedSeconds: 0, reports: [] };
  }
  say(`Connected at ${start.data.rate_per_minute}/min; the credit covers ${start.data.max_seconds} s for now.`);

  // 2. While talking: report cumulative seconds; act on what the answer says.
  const reports: Array<[number, string]> = [];
  let elapsed = 0;
  let ending = "caller hung up";
  let wrappingUp = false;
  while (elapsed < call.plannedSeconds) {
    const step = Math.min(every, call.plannedSeconds - elapsed);
    await tick(step);
    elapsed += step;
    const report = await prepaid.POST("/v1/calls/{id}/usage", { params: { path: { id: call.callId } }, body: { elapsed_seconds: elapsed } });
    // A report that failed (a timeout, a 5xx) is sent again with the next, cumulative one: nothing is billed twice.
    if (!report.data) continue;
    reports.push([elapsed, report.data.action]);
    if (report.data.action === "end_call") {
      say("Sorry, we have to stop here. Goodbye!");
      ending = "hung up: end_call";
      break;
    }
    if (report.data.action === "wrap_up" && !wrappingUp) {
      wrappingUp = true;
      say(`We're nearly out of time (${report.data.seconds_remaining} s) — let me summarise before we finish.`);
    } else if (report.data.action === "continue" && wrappingUp) {
      wrappingUp = false;
      say("Good news: there is more time after all. Where were we?");
    }
  }

  // 3. Always end the call: the rest is billed, the hold and the slot are freed at once.
  const ended = await prepaid.POST("/v1/calls/{id}/end", { params: { path: { id: call.callId } }, body: { elapsed_seconds: elapsed } });
  say(`Call ended after ${elapsed} s; balance ${ended.data?.balance ?? "unknown"}.`);
  return { ending, billedSeconds: ended.data?.billed_seconds ?? elapsed, reports };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const need = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required (see the top of examples/voice-agent/agent.ts)`);
    return value;
  };
  const arg = (flag: string, fallback: number) => {
    const at = process.argv.indexOf(flag);
    return at > 0 ? Number(process.argv[at + 1]) : fallback;
  };
  const outcome = await runAgentCall({
    baseUrl: need("PREPAID_URL"),
    apiKey: need("PREPAID_KEY"),
    accountId: need("PREPAID_ACCOUNT_ID"),
    callId: `call_demo_${Date.now()}`,
    plannedSeconds: arg("--seconds", 600),
    msPerSecond: 1000 / arg("--speed", 60),
    say: (line) => console.log(`agent: ${line}`),
  });
  console.log(JSON.stringify(outcome));
}
