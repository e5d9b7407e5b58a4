import { useEffect, useRef, useState } from "react";
import type { Api } from "../api/client.js";
import type { Account, Page, PaymentMethod, Recharge } from "../api/types.js";
import { cardLabel, usdText } from "../money/display.js";

/** What the user is told about a charge they started, from "Charging…" to its outcome. */
export interface RechargeOutcome {
  state: "charging" | "succeeded" | "failed" | "still_processing";
  text: string;
}

/** A charge settles in seconds at the provider; past 2 minutes the page stops watching and says so. */
const WATCH_LIMIT_MS = 120_000;
const POLL_MS = 1_000;

const cardOf = (recharge: WatchedRecharge, methods: PaymentMethod[] | undefined) => {
  const card = methods?.find((m) => m.id === recharge.payment_method_id);
  return card ? cardLabel(card) : "your card";
};

/** The sentence for a recharge in the state the API reports it. Pure, so it is tested alone. */
/** What the outcome needs of a recharge: the API's object, or what a save that started one knows of it. */
export type WatchedRecharge = Pick<Recharge, "id" | "amount" | "payment_method_id" | "status" | "failure_message">;

export function outcomeText(recharge: WatchedRecharge, card: string, balance?: string): RechargeOutcome {
  const amount = usdText(recharge.amount);
  if (recharge.status === "succeeded") {
    return { state: "succeeded", text: `Charged ${amount} to ${card}${balance === undefined ? "" : ` — balance ${usdText(balance, { cents: true })}`}.` };
  }
  if (recharge.status === "failed") {
    const why = recharge.failure_message ?? "The payment was refused.";
    return { state: "failed", text: `The charge of ${amount} to ${card} failed: ${why} Try another card, or add a new one.` };
  }
  return { state: "charging", text: `Charging ${amount} to ${card}…` };
}

/**
 * Follows one recharge from the moment it was started until the provider answers, so the
 * page replaces "Charging $25.00…" with what happened (and the balance it left), or with the
 * failure and what to do. Polls its account's recent recharges every second, for at most 2 min.
 */
export function useRechargeOutcome(api: Api, accountId: string, methods: PaymentMethod[] | undefined) {
  const [watched, setWatched] = useState<WatchedRecharge>();
  const [outcome, setOutcome] = useState<RechargeOutcome>();
  // The cards as they are when the outcome comes: a card saved with the charge it starts may
  // not be in the list the page had when the watch began.
  const latestMethods = useRef(methods);
  latestMethods.current = methods;

  useEffect(() => {
    if (!watched) return;
    setOutcome(outcomeText(watched, cardOf(watched, latestMethods.current)));
    const startedAt = Date.now();
    let stopped = false;
    const tick = async () => {
      if (stopped) return;
      try {
        const page = await api.get<Page<Recharge>>(`/v1/accounts/${accountId}/recharges?limit=20`);
        const now = page.data.find((r) => r.id === watched.id);
        if (now && (now.status === "succeeded" || now.status === "failed")) {
          const balance = now.status === "succeeded" ? (await api.get<Account>(`/v1/accounts/${accountId}`)).balance : undefined;
          if (!stopped) setOutcome(outcomeText(now, cardOf(now, latestMethods.current), balance));
          return;
        }
      } catch {
        // A failed look-up is tried again at the next tick: the charge itself is unaffected.
      }
      if (Date.now() - startedAt > WATCH_LIMIT_MS) {
        setOutcome({ state: "still_processing", text: `The charge of ${usdText(watched.amount)} to ${cardOf(watched, latestMethods.current)} is still processing; the balance updates when it settles.` });
        return;
      }
      setTimeout(() => void tick(), POLL_MS);
    };
    const timer = setTimeout(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // methods change as cards load; the watched recharge alone restarts the watch.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [watched, api, accountId]);

  return {
    outcome,
    /** Starts following a recharge the API just created. */
    watch: (recharge: WatchedRecharge) => setWatched(recharge),
    clear: () => {
      setWatched(undefined);
      setOutcome(undefined);
    },
  };
}
