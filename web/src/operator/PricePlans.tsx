import { useState, type FormEvent } from "react";
import type { Api } from "../api/client.js";
import type { PricePlan } from "../api/types.js";
import { useAction } from "../api/use-action.js";
import { useResource } from "../api/use-resource.js";
import { parseAmount } from "../../../src/money/parse.js";
import { formatMicros } from "../../../src/money/micros.js";
import { ErrorText } from "../components/ErrorText.js";
import { ReviewStep } from "../components/ReviewStep.js";
import { ScrollRegion } from "../components/ScrollRegion.js";
import { usdText } from "../money/display.js";
import { rateText } from "../plans/rate-input.js";
import { FormOutcome } from "../components/FormOutcome.js";

/**
 * The operator's price list (docs/plans.md): every plan with its two rates and monthly fee, the
 * built-in default first, and a new plan — said in full before it is made. Plans are put on
 * accounts from each account's page; calls started afterwards pay them.
 */
export function PricePlans({ api }: { api: Api }) {
  const [made, setMade] = useState(0);
  const plans = useResource(() => api.get<{ data: PricePlan[] }>("/v1/price-plans"), [made]);
  return (
    <>
      <h1>Price plans</h1>
      <p className="muted">What accounts pay a minute. An account without a plan of its own pays the default plan. A plan change applies to calls started after it; running calls keep their rate.</p>
      <ErrorText error={plans.error} />
      <section className="card" aria-labelledby="plans-title">
        <h2 id="plans-title">Plans</h2>
        <ScrollRegion label="Plans table">
          <table aria-label="Price plans">
            <thead>
              <tr>
                <th scope="col">Plan</th>
                <th scope="col">With the Web Widget</th>
                <th scope="col">Without</th>
                <th scope="col">Monthly fee</th>
              </tr>
            </thead>
            <tbody>
              {plans.data?.data.map((plan) => (
                <tr key={plan.id} data-testid={`plan-${plan.id}`}>
                  <td>
                    {plan.name}
                    {plan.built_in && <span className="muted"> (default)</span>}
                    <br />
                    <span className="mono muted">{plan.id}</span>
                  </td>
                  <td>{usdText(plan.rate_per_minute.web_widget)}/min</td>
                  <td>{usdText(plan.rate_per_minute.default)}/min</td>
                  <td>{plan.monthly_fee ? usdText(plan.monthly_fee) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </section>
      <NewPlan api={api} onCreated={() => setMade((n) => n + 1)} />
    </>
  );
}

function NewPlan({ api, onCreated }: { api: Api; onCreated(): void }) {
  const [name, setName] = useState("");
  const [widget, setWidget] = useState("");
  const [plain, setPlain] = useState("");
  const [fee, setFee] = useState("");
  const [confirming, setConfirming] = useState<{ body: Record<string, unknown>; text: string }>();
  const [done, setDone] = useState<string>();
  const { act, busy, error, setError } = useAction(onCreated);
  const reset = () => setConfirming(undefined);

  function review(event: FormEvent) {
    event.preventDefault();
    setDone(undefined);
    setError(undefined);
    if (name.trim() === "") return setError(new Error("Give the plan a name."));
    const w = rateText(widget, "The rate with the Web Widget");
    if (!w.ok) return setError(new Error(w.message));
    const d = rateText(plain, "The rate without it");
    if (!d.ok) return setError(new Error(d.message));
    let monthly: string | undefined;
    if (fee.trim() !== "") {
      const parsed = parseAmount(fee.trim());
      if (!parsed.ok) return setError(new Error(`The monthly fee ${parsed.reason}.`));
      if (parsed.micros > 0n) monthly = formatMicros(parsed.micros);
    }
    setConfirming({
      body: { name: name.trim(), rate_per_minute: { web_widget: w.value, default: d.value }, ...(monthly ? { monthly_fee: monthly } : {}) },
      text: `Create “${name.trim()}”: ${usdText(w.value)} a minute with the Web Widget, ${usdText(d.value)} without${monthly ? `, and ${usdText(monthly)} a month` : ", no monthly fee"}.`,
    });
  }

  function send() {
    if (!confirming) return;
    void act(async () => {
      const plan = await api.send<PricePlan>("POST", "/v1/price-plans", confirming.body);
      setDone(`Created ${plan.name} (${plan.id}).`);
      setConfirming(undefined);
      setName("");
      setWidget("");
      setPlain("");
      setFee("");
    });
  }

  return (
    <section className="card" aria-labelledby="new-plan-title">
      <h2 id="new-plan-title">New plan</h2>
      <form onSubmit={review} noValidate>
        <div className="field">
          <label htmlFor="plan-name">Plan name</label>
          <input id="plan-name" value={name} maxLength={100} onChange={(e) => { setName(e.target.value); reset(); }} />
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor="plan-widget">USD a minute with the Web Widget</label>
            <input id="plan-widget" inputMode="decimal" value={widget} placeholder="0.16" onChange={(e) => { setWidget(e.target.value); reset(); }} />
          </div>
          <div className="field">
            <label htmlFor="plan-default">USD a minute without it</label>
            <input id="plan-default" inputMode="decimal" value={plain} placeholder="0.18" onChange={(e) => { setPlain(e.target.value); reset(); }} />
          </div>
        </div>
        <div className="field">
          <label htmlFor="plan-fee">Monthly fee (USD; empty: none)</label>
          <input id="plan-fee" inputMode="decimal" value={fee} placeholder="none" onChange={(e) => { setFee(e.target.value); reset(); }} />
        </div>
        <ReviewStep subject="plan" summary={confirming?.text} reviewLabel="Review plan" confirmLabel="Create plan" busy={busy} onConfirm={send} onCancel={reset} />
      </form>
      <FormOutcome error={error} done={done} />
    </section>
  );
}
