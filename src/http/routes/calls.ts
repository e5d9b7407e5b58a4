import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { authorize } from "../../accounts/access.js";
import { findAccount } from "../../accounts/accounts.js";
import { findCall, lockCalls, recordUsage, startCall, type Call, type UsageResult } from "../../billing/calls.js";
import type { Tx } from "../../db/database.js";
import { notFound } from "../../errors/app-error.js";
import type { AppEnv } from "../context.js";
import { idempotent } from "../idempotency.js";
import { BatchUsageIn, CallOut, callOut, StartCallIn, UsageIn, UsageOut, usageOut } from "../schemas/billing.js";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, security } from "../schemas/common.js";

export const callRoutes = new OpenAPIHono<AppEnv>();

/** Calls are started and reported by the account itself or by the operator's call infrastructure. */
async function authorizeForAccount(c: Context<AppEnv>, accountId: string): Promise<void> {
  const principal = c.get("principal");
  const account = await findAccount(c.get("deps").db, accountId);
  if (!account) throw notFound("account");
  if (principal.kind !== "admin") authorize(principal, account, "write");
}

async function authorizedCall(c: Context<AppEnv>, callId: string): Promise<Call> {
  const call = await findCall(c.get("deps").db, callId);
  if (!call) throw notFound("call");
  try {
    await authorizeForAccount(c, call.accountId);
  } catch (error) {
    // Someone else's call does not exist, as far as this caller can tell.
    throw error instanceof Error && "code" in error && error.code === "not_found" ? notFound("call") : error;
  }
  return call;
}

const CallIdParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" } }) });

callRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/calls",
    tags: ["calls"],
    summary: "Authorise a call: fixes its rate; 402 when the account is paused or out of credit",
    security,
    request: { headers: IdempotencyHeader, body: jsonBody(StartCallIn) },
    responses: {
      201: jsonResponse(CallOut, "The authorised call, with the seconds the balance pays for"),
      402: { description: "`insufficient_credit` or `account_paused`" },
      ...errorResponses,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    await authorizeForAccount(c, body.account_id);
    const { config } = c.get("deps");
    return idempotent(c, 201, async (tx) => {
      const { call, maxSeconds } = await startCall(tx, config, body.account_id, body.call_id);
      return callOut(call, maxSeconds);
    });
  },
);

/** Reports usage of several calls in one transaction: calls locked first, in id order, then wallets. */
async function reportMany(
  c: Context<AppEnv>,
  tx: Tx,
  events: Array<{ callId: string; elapsedSeconds: number; final: boolean }>,
): Promise<UsageResult[]> {
  const deps = c.get("deps");
  const calls = await lockCalls(tx, events.map((e) => e.callId));
  const accountOf = (callId: string) => {
    const call = calls.get(callId);
    if (!call) throw notFound("call");
    return call.accountId;
  };
  // Wallets are locked in account order (a stable sort keeps each call's reports in order),
  // so two batches touching the same wallets cannot wait on each other in a cycle.
  const order = events
    .map((_, i) => i)
    .sort((a, b) => accountOf(events[a]!.callId).localeCompare(accountOf(events[b]!.callId)) || a - b);
  const results: UsageResult[] = new Array(events.length);
  for (const i of order) {
    const event = events[i]!;
    const call = calls.get(event.callId)!;
    const result = await recordUsage(tx, deps.config, call, event.elapsedSeconds, event.final, deps.now());
    calls.set(call.id, {
      ...call,
      billedSeconds: result.billedSeconds,
      billedMicros: result.totalMicros,
      status: event.final ? "ended" : call.status,
    });
    results[i] = result;
  }
  return results;
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
      security,
      request: { params: CallIdParam, headers: IdempotencyHeader, body: jsonBody(UsageIn) },
      responses: { 200: jsonResponse(UsageOut, "What was billed; `end_call` when the balance is spent"), ...errorResponses },
    }),
    async (c) => {
      const call = await authorizedCall(c, c.req.valid("param").id);
      const { elapsed_seconds } = c.req.valid("json");
      const response = await idempotent(c, 200, async (tx) => {
        const [result] = await reportMany(c, tx, [{ callId: call.id, elapsedSeconds: elapsed_seconds, final }]);
        return usageOut(result!);
      });
      c.get("deps").nudgeWorker();
      return response;
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
    security,
    request: { headers: IdempotencyHeader, body: jsonBody(BatchUsageIn) },
    responses: { 200: jsonResponse(z.object({ data: z.array(UsageOut) }), "One result per event, in order"), ...errorResponses },
  }),
  async (c) => {
    const { events } = c.req.valid("json");
    // Every call must exist and be the caller's before anything is written.
    for (const callId of new Set(events.map((e) => e.call_id))) await authorizedCall(c, callId);
    const response = await idempotent(c, 200, async (tx) => {
      const results = await reportMany(
        c,
        tx,
        events.map((e) => ({ callId: e.call_id, elapsedSeconds: e.elapsed_seconds, final: e.final ?? false })),
      );
      return { data: results.map(usageOut) };
    });
    c.get("deps").nudgeWorker();
    return response;
  },
);
