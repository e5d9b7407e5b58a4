import type { Context } from "hono";
import type { Tx } from "../db/database.js";
import { extendSessionForCharge } from "../sessions/sessions.js";
import type { AppEnv } from "./context.js";

/** When a Payments-page session started a charge: it stays open until the charge's outcome can reach the page (sessions.ts). */
export async function keepSessionForCharge(tx: Tx, c: Context<AppEnv>): Promise<void> {
  const { actor } = c.get("principal");
  if (actor.type === "session") await extendSessionForCharge(tx, actor.id);
}
