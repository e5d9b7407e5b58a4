import { useState, type FormEvent } from "react";
import type { Api } from "../api/client.js";
import type { Account, Page, Recharge, Refund } from "../api/types.js";
import { useAction } from "../api/use-action.js";
import { useResource } from "../api/use-resource.js";
import { formatMicros } from "../../../src/money/micros.js";
import { parseAmount } from "../../../src/money/parse.js";
import { ErrorText } from "../components/ErrorText.js";
import { cardLabel, parseMicros, usdText } from "../money/display.js";
import { dateTimeText } from "../text/date-time.js";
import { ReviewStep } from "../components/ReviewStep.js";

const REFUND_STATUS: Record<Refund["status"], string> = { pending: "Pending at the card provider", succeeded: "Refunded", failed: "Failed" };

/**
 * The operator's refund of a paid charge (docs/concepts.md): which payment, how much (the rest when
 * left empty), why — said in full before it is sent. The server checks the amount again under
 * the charge's lock; the refund completes when the provider confirms, and the list shows it.
 */
export function RefundPayment({ api, account, onChanged }: { api: Api; account: Account; onChanged(): void }) {
  const [refresh, setRefresh] = useState(0);
  const payments = useResource(() => api.get<Page<Recharge>>(`/v1/accounts/${account.id}/recharges?limit=50`), [account.id, refresh]);
  const refunds = useResource(() => api.get<Page<Refund>>(`/v1/accounts/${account.id}/refunds?limit=50`), [account.id, refresh], 3_000);
  const [chosen, setChosen] = useState("");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState<{ amount: string | undefined; text: string }>();
  const [done, setDone] = useState<string>();
  const { act, busy, error, setError } = useAction(() => {
    setRefresh((n) => n + 1);
    onChanged();
  });

  const paid = (payments.data?.data ?? []).filter((r) => r.status === "succeeded");
  const left = (r: Recharge) =>
    parseMicros(r.amount) - (refunds.data?.data ?? []).filter((f) => f.recharge_id === r.id && f.status !== "failed").reduce((sum, f) => sum + parseMicros(f.amount), 0n);
  const label = (r: Recharge) => `${usdText(r.amount)} · ${r.card ? cardLabel(r.card) : "card removed"} · ${dateTimeText(r.created_at)}`;

  const review = (event: FormEvent) => {
    event.preventDefault();
    setDone(undefined);
    setError(undefined);
    const payment = paid.find((r) => r.id === chosen);
    if (!payment) return setError(new Error("Choose the payment to refund."));
    const rest = left(payment);
    let micros = rest;
    if (amount.trim() !== "") {
      const parsed = parseAmount(amount.trim());
      if (!parsed.ok) return setError(new Error(`Amount ${parsed.reason}.`));
      micros = parsed.micros;
    }
    if (micros <= 0n || micros > rest) return setError(new Error(`The refund must be more than $0.00 and at most ${usdText(formatMicros(rest))}, what is left of this payment.`));
    if (reason.trim() === "") return setError(new Error("Say why: the reason is kept with the refund, in the audit log and in the account's notice."));
    setConfirming({
      amount: amount.trim() === "" ? undefined : formatMicros(micros),
      text: `Refund ${usdText(formatMicros(micros))} of the ${label(payment)} payment to ${account.name}'s card: “${reason.trim()}”. The balance goes down by the same amount once the card provider confirms.`,
    });
  };

  function send() {
    if (!confirming) return;
    void act(async () => {
      const made = await api.send<Refund>("POST", `/v1/accounts/${account.id}/recharges/${chosen}/refunds`, { ...(confirming.amount ? { amount: confirming.amount } : {}), reason: reason.trim() });
      setDone(`Refund of ${usdText(made.amount)} requested; it completes when the card provider confirms.`);
      setConfirming(undefined);
      setAmount("");
      setReason("");
    });
  }

  return (
    <section className="card" aria-labelledby="refund-title">
      <h2 id="refund-title">Refund a payment</h2>
      {paid.length === 0 ? (
        <p className="muted">No paid card payment to refund.</p>
      ) : (
        <form onSubmit={review} noValidate>
          <div className="field">
            <label htmlFor="refund-payment">Payment to refund</label>
            <select id="refund-payment" value={chosen} onChange={(e) => { setChosen(e.target.value); setConfirming(undefined); }}>
              <option value="">Choose a payment</option>
              {paid.map((r) => (
                <option key={r.id} value={r.id}>
                  {label(r)} ({usdText(formatMicros(left(r)))} left)
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="refund-amount">Amount (USD; empty: all that is left)</label>
            <input id="refund-amount" inputMode="decimal" value={amount} placeholder="all that is left" onChange={(e) => { setAmount(e.target.value); setConfirming(undefined); }} />
          </div>
          <div className="field">
            <label htmlFor="refund-reason">Reason for the refund</label>
            <input id="refund-reason" value={reason} maxLength={500} onChange={(e) => { setReason(e.target.value); setConfirming(undefined); }} />
          </div>
          <ReviewStep subject="refund" summary={confirming?.text} reviewLabel="Review refund" confirmLabel="Send refund" busy={busy} onConfirm={send} onCancel={() => setConfirming(undefined)} />
        </form>
      )}
      <ErrorText error={error ?? payments.error ?? refunds.error} />
      {done && (
        <p role="status" className="ok">
          {done}
        </p>
      )}
      {(refunds.data?.data.length ?? 0) > 0 && (
        <ul className="plain-list" data-testid="refunds">
          {refunds.data!.data.map((f) => (
            <li key={f.id}>
              {usdText(f.amount)} · {REFUND_STATUS[f.status]}
              {f.failure_message ? ` (${f.failure_message})` : ""} · {f.reason} · {dateTimeText(f.created_at)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
