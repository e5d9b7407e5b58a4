import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { recordAudit } from "../../audit/audit-log.js";
import { diffChanges } from "../../audit/changes.js";
import { levelFromStored, levelMicros, MAX_ALERT_LEVELS, MAX_ALERT_MINUTES, type StoredLevel } from "../../billing/status/balance-alerts.js";
import { loadWalletState, type WalletState } from "../../billing/status/wallet-state.js";
import { queryRows, type Tx } from "../../db/database.js";
import { invalidField, notFound } from "../../errors/app-error.js";
import { formatCents, formatMicros } from "../../money/micros.js";
import { auditSource } from "../audit-source.js";
import { authorizedAccount } from "../authorized-account.js";
import type { AppEnv } from "../context.js";
import { idempotent } from "../idempotency.js";
import { ACCOUNT_NOT_FOUND, IdempotencyHeader, IdParam, jsonBody, jsonResponse, KEY_REUSED, routeErrors, security, WRITE_FORBIDDEN } from "../schemas/common.js";
import { AmountInput, Money } from "../schemas/money.js";

export const alertRoutes = new OpenAPIHono<AppEnv>();

const LevelIn = z.union([
  z.object({ below: AmountInput.openapi({ description: "alert when the balance falls below this many dollars" }) }).strict(),
  z
    .object({
      below_minutes: z
        .string()
        .regex(/^[1-9]\d{0,4}$/, "whole minutes, 1 or more")
        .refine((m) => Number(m) <= MAX_ALERT_MINUTES, `at most ${MAX_ALERT_MINUTES} minutes`)
        .openapi({ description: "alert when the balance pays for fewer minutes of calls than this, at the account's current rate", example: "60" }),
    })
    .strict(),
]);

const AlertsIn = z
  .object({ levels: z.array(LevelIn).max(MAX_ALERT_LEVELS) })
  .strict()
  .openapi("BalanceAlertsInput", { example: { levels: [{ below: "20.00" }, { below_minutes: "30" }] } });

const LevelOut = z
  .object({
    below: Money.optional(),
    below_minutes: z.string().optional(),
    amount: Money.openapi({ description: "the level's dollar value now (a minutes level moves with the Web Widget's rate)" }),
  })
  .openapi("BalanceAlertLevel");

const AlertsOut = z
  .object({ levels: z.array(LevelOut) })
  .openapi("BalanceAlerts", { example: { levels: [{ below: "20.00", amount: "20.00" }, { below_minutes: "30", amount: "5.40" }] } });

const alertsOut = (state: WalletState) => ({
  levels: state.alertLevels.map((stored) => ({ ...stored, amount: formatMicros(levelMicros(levelFromStored(stored), state.ratePerMinuteMicros)) })),
});

async function stateOf(tx: Tx, config: Parameters<typeof loadWalletState>[1], id: string): Promise<WalletState> {
  const state = await loadWalletState(tx, config, id);
  if (!state) throw notFound("account");
  return state;
}

alertRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/accounts/{id}/alerts",
    tags: ["notifications"],
    summary: "Balance alert levels, in dollars or minutes, with each level's dollar value now",
    description:
      "Up to 5 levels. A debit that takes the balance below a level sends one `balance.alert`; a credit that lifts it back above sends one `balance.recovered` (feed, webhooks, and email for the alert). Independent of Auto-Recharge; an agency gets copies for its subaccounts.",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(AlertsOut, "The levels"), ...routeErrors({ 404: ACCOUNT_NOT_FOUND }) },
  }),
  async (c) => {
    const account = await authorizedAccount(c, c.req.valid("param").id, "read");
    const { db, config } = c.get("deps");
    return c.json(alertsOut(await stateOf(db, config.rates, account.id)), 200);
  },
);

alertRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/accounts/{id}/alerts",
    tags: ["notifications"],
    summary: "Set the balance alert levels (replaces them; an empty list removes them)",
    description:
      "`{below: \"20.00\"}` is a dollar level, `{below_minutes: \"60\"}` a level in minutes of calls at the current rate (it moves when the Web Widget does). At most 5, no two the same. Saving sends nothing by itself: alerts are sent when the balance crosses a level. Audited.",
    security,
    request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(AlertsIn) },
    responses: {
      200: jsonResponse(AlertsOut, "The levels now"),
      ...routeErrors({ 400: "`invalid_request`: more than 5 levels, a level twice, a dollar level of zero, or minutes that are not whole", 403: WRITE_FORBIDDEN, 404: ACCOUNT_NOT_FOUND, 409: KEY_REUSED }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await authorizedAccount(c, id, "write");
    const { levels } = c.req.valid("json");
    const stored: StoredLevel[] = levels.map((l) => ("below" in l ? { below: formatCents(l.below) } : { below_minutes: l.below_minutes }));
    if (levels.some((l) => "below" in l && l.below === 0n)) throw invalidField("levels", "a dollar level must be above $0.00");
    const keys = stored.map((l) => JSON.stringify(l));
    if (new Set(keys).size !== keys.length) throw invalidField("levels", "each level at most once");
    const { config } = c.get("deps");
    return idempotent(c, 200, async (tx) => {
      const before = await stateOf(tx, config.rates, id);
      await queryRows(
        tx,
        sql`insert into balance_alerts (account_id, levels) values (${id}, ${JSON.stringify(stored)}::jsonb)
            on conflict (account_id) do update set levels = excluded.levels, updated_at = now()`,
      );
      await recordAudit(tx, auditSource(c), id, "alerts.updated", diffChanges({ levels: before.alertLevels }, { levels: stored }));
      return alertsOut({ ...before, alertLevels: stored });
    });
  },
);
