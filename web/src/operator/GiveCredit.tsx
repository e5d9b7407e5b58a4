import { useState, type FormEvent } from "react";
import type { Api } from "../api/client.js";
import type { Account, Grant } from "../api/types.js";
import { useAction } from "../api/use-action.js";
import { formatMicros } from "../../../src/money/micros.js";
import { parseAmount } from "../../../src/money/parse.js";
import { usdText } from "../money/display.js";
import { dateTimeText } from "../text/date-time.js";
import { ReviewStep } from "../components/ReviewStep.js";
import { FormOutcome } from "../components/FormOutcome.js";

/**
 * The operator's credit grant (docs/concepts.md): promotional or compensation credit, spent by calls
 * before paid credit, optionally expiring at the end of a chosen day — said in full before it
 * is sent. The account's page lists it with its expiry.
 */
export function GiveCredit({ api, account, onChanged }: { api: Api; account: Account; onChanged(): void }) {
  const [amount, setAmount] = useState("");
  const [category, setCategory] = useState<Grant["category"]>("promotional");
  const [expires, setExpires] = useState("");
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState<{ body: Record<string, string>; text: string }>();
  const [done, setDone] = useState<string>();
  const { act, busy, error, setError } = useAction(onChanged);
  const reset = () => setConfirming(undefined);

  const review = (event: FormEvent) => {
    event.preventDefault();
    setDone(undefined);
    setError(undefined);
    const parsed = parseAmount(amount.trim());
    if (!parsed.ok) return setError(new Error(`Amount ${parsed.reason}.`));
    if (parsed.micros <= 0n) return setError(new Error("A grant gives credit: more than $0.00."));
    if (reason.trim() === "") return setError(new Error("Say why: the reason is kept with the grant, in the history and in the audit log."));
    let expiresAt: string | undefined;
    if (expires !== "") {
      // The end of the chosen day in the operator's zone: credit "until Dec 31" lasts all of Dec 31.
      const end = new Date(`${expires}T23:59:59`);
      if (Number.isNaN(end.getTime()) || end.getTime() <= Date.now()) return setError(new Error("The expiry is a day from today on."));
      expiresAt = end.toISOString();
    }
    const value = formatMicros(parsed.micros);
    setConfirming({
      body: { amount: value, category, reason: reason.trim(), ...(expiresAt ? { expires_at: expiresAt } : {}) },
      text: `Give ${account.name} ${usdText(value)} of ${category} credit${expiresAt ? `, expiring ${dateTimeText(expiresAt)}` : " that never expires"}: “${reason.trim()}”. Calls spend it before paid credit.`,
    });
  };

  function send() {
    if (!confirming) return;
    void act(async () => {
      const made = await api.send<Grant>("POST", `/v1/accounts/${account.id}/grants`, confirming.body);
      setDone(`Granted ${usdText(made.amount)}${made.expires_at ? `, expiring ${dateTimeText(made.expires_at)}` : ""}.`);
      setConfirming(undefined);
      setAmount("");
      setReason("");
      setExpires("");
    });
  }

  return (
    <section className="card" aria-labelledby="grant-title">
      <h2 id="grant-title">Give credit</h2>
      <p className="muted">Trial minutes or credit for a dropped call. Calls spend granted credit first, the soonest to expire first; what is left at the expiry leaves the wallet.</p>
      <form onSubmit={review} noValidate>
        <div className="field">
          <label htmlFor="grant-amount">Credit (USD)</label>
          <input id="grant-amount" inputMode="decimal" value={amount} placeholder="5.00" onChange={(e) => { setAmount(e.target.value); reset(); }} />
        </div>
        <div className="field">
          <label htmlFor="grant-category">Kind of credit</label>
          <select id="grant-category" value={category} onChange={(e) => { setCategory(e.target.value as Grant["category"]); reset(); }}>
            <option value="promotional">Promotional</option>
            <option value="compensation">Compensation</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="grant-expires">Expires after (empty: never)</label>
          <input id="grant-expires" type="date" value={expires} onChange={(e) => { setExpires(e.target.value); reset(); }} />
        </div>
        <div className="field">
          <label htmlFor="grant-reason">Reason for the credit</label>
          <input id="grant-reason" value={reason} maxLength={500} placeholder="e.g. trial minutes" onChange={(e) => { setReason(e.target.value); reset(); }} />
        </div>
        <ReviewStep subject="credit" summary={confirming?.text} reviewLabel="Review credit" confirmLabel="Give credit" busy={busy} onConfirm={send} onCancel={reset} />
      </form>
      <FormOutcome error={error} done={done} />
    </section>
  );
}
