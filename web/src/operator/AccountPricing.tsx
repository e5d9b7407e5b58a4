import { useState, type FormEvent } from "react";
import type { Api } from "../api/client.js";
import type { Account, Fee, PricePlan } from "../api/types.js";
import { useAction } from "../api/use-action.js";
import { useResource } from "../api/use-resource.js";
import { parseAmount } from "../../../src/money/parse.js";
import { formatMicros } from "../../../src/money/micros.js";
import { ErrorText } from "../components/ErrorText.js";
import { ReviewStep } from "../components/ReviewStep.js";
import { usdText } from "../money/display.js";
import { dateTimeText } from "../text/date-time.js";
import { FormOutcome } from "../components/FormOutcome.js";

/**
 * An account's price on the operator's page (docs/plans.md): the plan it is on — changed for
 * calls started afterwards — and its monthly fees, with the next charge and a stop.
 */
export function AccountPricing({ api, account, onChanged }: { api: Api; account: Account; onChanged(): void }) {
  return (
    <div className="grid">
      <div>
        <PlanChoice api={api} account={account} onChanged={onChanged} />
      </div>
      <div>
        <MonthlyFees api={api} account={account} onChanged={onChanged} />
      </div>
    </div>
  );
}

function PlanChoice({ api, account, onChanged }: { api: Api; account: Account; onChanged(): void }) {
  const plans = useResource(() => api.get<{ data: PricePlan[] }>("/v1/price-plans"), []);
  const [chosen, setChosen] = useState(account.price_plan_id);
  const [done, setDone] = useState<string>();
  const { act, busy, error } = useAction(onChanged);
  const current = plans.data?.data.find((p) => p.id === account.price_plan_id);
  // A subaccount paying other rates than its plan's pays its agency's (docs/plans.md).
  const resold =
    current !== undefined &&
    (account.rates_per_minute.web_widget !== current.rate_per_minute.web_widget || account.rates_per_minute.default !== current.rate_per_minute.default);

  function save(event: FormEvent) {
    event.preventDefault();
    setDone(undefined);
    void act(async () => {
      const saved = await api.send<Account>("PATCH", `/v1/accounts/${account.id}`, { price_plan_id: chosen });
      const plan = plans.data?.data.find((p) => p.id === saved.price_plan_id);
      setDone(`Saved: ${plan?.name ?? saved.price_plan_id}. Calls started from now on pay ${usdText(saved.rate_per_minute)} a minute; running calls keep their rate.`);
    });
  }

  return (
    <section className="card" aria-labelledby="plan-title">
      <h2 id="plan-title">Price plan</h2>
      <p className="muted" data-testid="account-plan">
        On {current ? current.name : account.price_plan_id}: a call started now pays {usdText(account.rate_per_minute)} a minute
        {resold ? " — its agency's price: while the agency resells, the plan applies to nothing" : ""}.
      </p>
      <ErrorText error={plans.error} />
      <form onSubmit={save} noValidate className="row">
        <div className="field">
          <label htmlFor="plan-choice">Plan</label>
          <select id="plan-choice" value={chosen} onChange={(e) => setChosen(e.target.value)}>
            {plans.data?.data.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} — {usdText(p.rate_per_minute.web_widget)} / {usdText(p.rate_per_minute.default)} a minute{p.monthly_fee ? `, ${usdText(p.monthly_fee)} a month` : ""}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy || chosen === account.price_plan_id}>
          Save plan
        </button>
      </form>
      <FormOutcome error={error} done={done} />
    </section>
  );
}

function MonthlyFees({ api, account, onChanged }: { api: Api; account: Account; onChanged(): void }) {
  const [changed, setChanged] = useState(0);
  const fees = useResource(() => api.get<{ data: Fee[] }>(`/v1/accounts/${account.id}/fees`), [account.id, changed]);
  const [name, setName] = useState("");
  const [amount, setAmount] = useState("");
  const [confirming, setConfirming] = useState<{ body: Record<string, string>; text: string }>();
  const [done, setDone] = useState<string>();
  const after = () => {
    setChanged((n) => n + 1);
    onChanged();
  };
  const { act, busy, error, setError } = useAction(after);
  const reset = () => setConfirming(undefined);

  function review(event: FormEvent) {
    event.preventDefault();
    setDone(undefined);
    setError(undefined);
    if (name.trim() === "") return setError(new Error("Name the fee: it is what the account reads on its statement."));
    const parsed = parseAmount(amount.trim());
    if (!parsed.ok) return setError(new Error(`Amount ${parsed.reason}.`));
    if (parsed.micros <= 0n) return setError(new Error("A fee is more than $0.00."));
    const value = formatMicros(parsed.micros);
    setConfirming({
      body: { name: name.trim(), amount: value, interval: "month" },
      text: `Charge ${account.name} ${usdText(value)} a month for “${name.trim()}”, the first month now. It may take the balance below zero; it never pauses the account.`,
    });
  }

  function send() {
    if (!confirming) return;
    void act(async () => {
      const fee = await api.send<Fee>("POST", `/v1/accounts/${account.id}/fees`, confirming.body);
      setDone(`Charged ${usdText(fee.amount)} for ${fee.name}; next on ${fee.next_charge_at ? dateTimeText(fee.next_charge_at) : "—"}.`);
      setConfirming(undefined);
      setName("");
      setAmount("");
    });
  }

  function stop(fee: Fee) {
    void act(async () => {
      await api.send<Fee>("DELETE", `/v1/accounts/${account.id}/fees/${fee.id}`);
      setDone(`Stopped ${fee.name}: the month it is in stays charged, no later one is.`);
    });
  }

  const list = fees.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="fees-title">
      <h2 id="fees-title">Monthly fees</h2>
      <ErrorText error={fees.error} />
      {list.length === 0 ? (
        <p className="muted">No monthly fees.</p>
      ) : (
        <ul className="plain-list" aria-label="Monthly fees">
          {list.map((fee) => (
            <li key={fee.id} data-testid={`fee-${fee.id}`}>
              <strong>{fee.name}</strong> · {usdText(fee.amount)} a month ·{" "}
              {fee.next_charge_at ? `next ${dateTimeText(fee.next_charge_at)}` : `stopped ${fee.stopped_at ? dateTimeText(fee.stopped_at) : ""}`}
              {fee.set_by !== "operator" && <span className="muted"> · set by the {fee.set_by === "plan" ? "price plan" : "agency"}</span>}
              {fee.next_charge_at && fee.set_by !== "plan" && (
                <>
                  {" "}
                  <button type="button" className="link" disabled={busy} onClick={() => stop(fee)} aria-label={`Stop ${fee.name}`}>
                    Stop
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={review} noValidate>
        <div className="row">
          <div className="field">
            <label htmlFor="fee-name">Fee name</label>
            <input id="fee-name" value={name} maxLength={100} placeholder="Phone number" onChange={(e) => { setName(e.target.value); reset(); }} />
          </div>
          <div className="field">
            <label htmlFor="fee-amount">USD a month</label>
            <input id="fee-amount" inputMode="decimal" value={amount} placeholder="2.00" onChange={(e) => { setAmount(e.target.value); reset(); }} />
          </div>
        </div>
        <ReviewStep subject="fee" summary={confirming?.text} reviewLabel="Review fee" confirmLabel="Add fee" busy={busy} onConfirm={send} onCancel={reset} />
      </form>
      <FormOutcome error={error} done={done} />
    </section>
  );
}
