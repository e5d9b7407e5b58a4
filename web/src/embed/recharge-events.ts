import { useEffect, useRef } from "react";
import type { Api } from "../api/client.js";
import type { Page, Recharge } from "../api/types.js";
import { emitEvent, framed } from "./parent.js";

/** The newest recharges looked at: more than can finish between two looks (one a second at most). */
const LOOK_BACK = 10;

/**
 * Tells the platform's page when a recharge ends (`recharge.succeeded` / `recharge.failed`),
 * once per recharge. Looks again whenever `moved` changes (the page's balance or Auto-Recharge
 * state moved). Recharges already final when the page opened are not news and are not sent.
 */
export function useRechargeEvents(api: Api, accountId: string, moved: string | undefined): void {
  const seenFinal = useRef<Set<string> | undefined>(undefined);
  useEffect(() => {
    if (!framed || moved === undefined) return;
    let live = true;
    api
      .get<Page<Recharge>>(`/v1/accounts/${accountId}/recharges?limit=${LOOK_BACK}`)
      .then((page) => {
        if (!live) return;
        const final = page.data.filter((r) => r.status === "succeeded" || r.status === "failed");
        if (!seenFinal.current) {
          seenFinal.current = new Set(final.map((r) => r.id));
          return;
        }
        for (const r of final.reverse()) {
          if (seenFinal.current.has(r.id)) continue;
          seenFinal.current.add(r.id);
          emitEvent(r.status === "succeeded" ? "recharge.succeeded" : "recharge.failed", {
            recharge_id: r.id,
            amount: r.amount,
            trigger: r.trigger,
            ...(r.status === "failed" ? { failure_code: r.failure_code } : {}),
          });
        }
      })
      .catch(() => undefined); // the next move looks again
    return () => {
      live = false;
    };
  }, [api, accountId, moved]);
}
