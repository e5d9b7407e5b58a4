import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { authorize } from "../../accounts/access.js";
import { findAccount } from "../../accounts/accounts.js";
import { findCallOwners, startCall } from "../../billing/calls/calls.js";
import type { UsageEvent, UsageResult } from "../../billing/usage/usage-writer.js";
import { AppError, notFound } from "../../errors/app-error.js";
import type { AppEnv } from "../context.js";
import { idempotencyOf, idempotent, replay, type JsonAnswer } from "../idempotency.js";
import { BatchUsageIn, CallOut, callOut, StartCallIn, UsageIn, UsageOut, usageOut } from "../schemas/billing.js";
import { IdempotencyHeader, jsonBody, jsonResponse, KEY_REUSED, QUEUE_FULL, routeErrors, security, dataOf } from "../schemas/common.js";

export const callRoutes = new OpenAPIHono<AppEnv>();

/** Calls are started and reported by the account itself or by the operator's call infrastructure. */
function mayUseAccount(c: Context<AppEnv>, owner: { id: string; parentId: string | null }): void {
  const principal = c.get("principal");
  if (principal.kind !== "admin") authorize(principal, owner, "write");
}

async function authorizeForAccount(c: Context<AppEnv>, accountId: string): Promise<void> {
  const principal = c.get("principal");
  // The operator, or the account itself: nothing to look up (startCall finds a missing account).
  if (principal.kind === "admin" || principal.accountId === accountId) return;
  const account = await findAccount(c.get("deps").db, accountId);
  if (!account) throw notFound("account");
  mayUseAccount(c, account);
}

/** Checks every call of a request in one query; someone else's call does not exist, as far as the caller can tell. */
async function authorizeCalls(c: Context<AppEnv>, callIds: string[]): Promise<void> {
  // The operator may report any call; the writer refuses one that does not exist.
  if (c.get("principal").kind === "admin") return;
  const owners = await findCallOwners(c.get("deps").db, [...new Set(callIds)]);
  for (const callId of callIds) {
    const owner = owners.get(callId);
    if (!owner) throw notFound("call");
    try {
      mayUseAccount(c, { id: owner.accountId, parentId: owner.parentId });
    } catch (error) {
      throw error instanceof AppError && error.code === "not_found" ? notFound("call") : error;
    }
  }
}

/** 403 of the call and usage routes: a read-only key or viewer session, or an agency for its subaccount's calls. */
const CALLS_FORBIDDEN = "`forbidden`: a read-only key or viewer session, or an agency starting or reporting its subaccount's calls";

/** The usage routes' errors: the report itself is cumulative, so only these refuse one. */
const usageErrors = routeErrors({
  403: CALLS_FORBIDDEN,
  404: "`not_found`: no such call, or one this credential may not see (a batch with one is refused whole)",
  409: KEY_REUSED,
  429: QUEUE_FULL,
});

const CallIdParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" } }) });

callRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/calls",
    tags: ["calls"],
    summary: "Authorise a call: fixes its rate; 402 when the account is paused or out of credit",
    description:
      "Call before connecting a call. The call holds `PREPAID_CALL_HOLD_SECONDS` (60 s by default) of credit at its rate while it runs, " +
      "so many calls starting at once never spend the same credit: a start is authorised only when the balance, plus a recharge in " +
      "flight, minus the holds of the account's other running calls covers its hold, and while the account runs fewer calls than its " +
      "`max_concurrent_calls`. The answer fixes the call's rate (the Web Widget setting now) and says how many seconds that credit pays " +
      "for. `call_id` is yours to give (your telephony id) or ours; starting it again answers the same call (an ended call with `max_seconds` 0: " +
      "it is not started again). Then report its cumulative " +
      "elapsed seconds with `POST /v1/calls/{id}/usage` (or many calls at once with `POST /v1/usage`) and end it with " +
      "`POST /v1/calls/{id}/end`; a call with no report for `PREPAID_CALL_IDLE_TIMEOUT` (10 minutes) is ended at its last reported seconds.",
    security,
    request: { headers: IdempotencyHeader, body: jsonBody(StartCallIn) },
    responses: {
      201: jsonResponse(CallOut, "The authorised call, with the seconds the balance pays for"),
      ...routeErrors({
        402:
          "`insufficient_credit` (the credit the account's running calls do not hold is less than this call's hold, a minute at its rate) or " +
          "`account_paused` (a failed payment): do not connect the call",
        concurrency: "the account runs as many calls as its `max_concurrent_calls` allows (`used` and `limit` in the error); start it when another ends",
        403: CALLS_FORBIDDEN,
        404: "`not_found`: no such account, or one this credential may not see; or a `call_id` another account's call has",
        409: KEY_REUSED,
        429: QUEUE_FULL,
      }),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    await authorizeForAccount(c, body.account_id);
    const { config, callStarter } = c.get("deps");
    // Without an Idempotency-Key (the hot path), starts share one statement (group commit);
    // with one, the key is claimed and the answer stored in a transaction of its own.
    if (c.req.header("Idempotency-Key") === undefined) {
      const { call, maxSeconds } = await callStarter.start(body.account_id, body.call_id);
      return c.json(callOut(call, maxSeconds), 201);
    }
    return idempotent(c, 201, async (tx) => {
      const { call, maxSeconds } = await startCall(tx, config, body.account_id, body.call_id);
      return callOut(call, maxSeconds);
    });
  },
);

/**
 * Hands usage reports to the group-commit writer and answers once their batch committed.
 * With an Idempotency-Key, the writer claims it and stores the answer in that same batch.
 */
async function report<T extends object>(
  c: Context<AppEnv>,
  events: UsageEvent[],
  render: (results: UsageResult[]) => T,
): Promise<JsonAnswer<T, 200>> {
  const deps = c.get("deps");
  const claim = await idempotencyOf(c);
  const outcome = await deps.usageWriter.submit(events, claim && { ...claim, status: 200, render });
  if (outcome.kind === "replay") {
    return replay<T, 200>(c, outcome.stored, claim!.fingerprint);
  }
  return c.json(render(outcome.results), 200) as JsonAnswer<T, 200>;
}

function usageRoute(path: "/v1/calls/{id}/usage" | "/v1/calls/{id}/end", final: boolean) {
  callRoutes.openapi(
    createRoute({
      method: "post",
      path,
      tags: ["calls"],
      summary: final
        ? "End a call with its final elapsed seconds and bill the rest"
        : "Report a call's cumulative elapsed seconds; debits only what was not billed yet",
      description: final
        ? "The last report of a call: bills up to `elapsed_seconds`, ends it and frees its hold and its slot at once. A later report " +
          "still bills seconds not billed yet (usage is never dropped) and answers `end_call`."
        : "Send the seconds since the call started, as often as you like (every 15–60 s is typical). Each report debits only " +
          "what was not billed yet, so a retry or a late report costs nothing twice. The answer says how long the credit lasts " +
          "(`seconds_remaining`, at the rate of all the account's running calls, a recharge in flight counted) and what to do: " +
          "`continue`; `wrap_up` when 60 s or less remain (close the conversation politely); `end_call` when nothing is left (hang " +
          "up). A recharge that lands mid-call raises `seconds_remaining` at the next report. docs/voice-agents.md shows the loop.",
      security,
      request: { params: CallIdParam, headers: IdempotencyHeader, body: jsonBody(UsageIn) },
      responses: { 200: jsonResponse(UsageOut, "What was billed, how long the credit lasts, and what the agent should do"), ...usageErrors },
    }),
    async (c) => {
      const callId = c.req.valid("param").id;
      await authorizeCalls(c, [callId]);
      const { elapsed_seconds } = c.req.valid("json");
      return report(c, [{ callId, elapsedSeconds: elapsed_seconds, final }], ([result]) => usageOut(result!));
    },
  );
}
usageRoute("/v1/calls/{id}/usage", false);
usageRoute("/v1/calls/{id}/end", true);

callRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/usage",
    tags: ["calls"],
    summary: "Report usage of up to 1000 calls at once, in one transaction",
    description:
      "The batch form of the usage report, for call infrastructure that tracks many calls: each event is a call's cumulative " +
      "elapsed seconds (`final: true` ends it). Every call must be the caller's, or nothing is written (404).",
    security,
    request: { headers: IdempotencyHeader, body: jsonBody(BatchUsageIn) },
    responses: { 200: jsonResponse(dataOf(UsageOut), "One result per event, in order"), ...usageErrors },
  }),
  async (c) => {
    const { events } = c.req.valid("json");
    // Every call must exist and be the caller's before anything is written.
    await authorizeCalls(c, events.map((e) => e.call_id));
    return report(
      c,
      events.map((e) => ({ callId: e.call_id, elapsedSeconds: e.elapsed_seconds, final: e.final ?? false })),
      (results) => ({ data: results.map(usageOut) }),
    );
  },
);
