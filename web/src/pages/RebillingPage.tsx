import { useState, type FormEvent } from "react";
import type { Rebilling, Resale } from "../api/types.js";
import { useAction } from "../api/use-action.js";
import { useResource } from "../api/use-resource.js";
import { ErrorText } from "../components/ErrorText.js";
import { ScrollRegion } from "../components/ScrollRegion.js";
import { usdText } from "../money/display.js";
import { rateText } from "../plans/rate-input.js";
import { useSession } from "../session/session.js";
import { FormOutcome } from "../components/FormOutcome.js";

/** Months the margin view shows. */
const MONTHS = 6;

/**
 * An agency's rebilling (docs/plans.md): what its subaccounts pay a minute (its resale rates,
 * between its own rate and 10× it), and per subaccount and month what they paid, what of it
 * is the platform's and what is the agency's margin. Subaccounts never see this page's figures.
 */
export function RebillingPage() {
  const { api, me, canEdit } = useSession();
  const [changed, setChanged] = useState(0);
  const resale = useResource(() => api.get<Resale>(`/v1/accounts/${me.id}/resale`), [me.id, changed]);
  const report = useResource(() => api.get<Rebilling>(`/v1/accounts/${me.id}/rebilling?months=${MONTHS}`), [me.id, changed], 10_000);
  return (
    <>
      <h1>Rebilling</h1>
      <p className="muted">Your subaccounts pay your prices; the difference over your own rate is credited to the agency wallet with each call, as a rebilling margin.</p>
      <ErrorText error={resale.error} />
      {resale.data && <ResaleRates resale={resale.data} canEdit={canEdit} onSaved={() => setChanged((n) => n + 1)} />}
      <section className="card" aria-labelledby="margin-title">
        <h2 id="margin-title">Cost, resale and margin</h2>
        <ErrorText error={report.error} />
        {report.data && report.data.data.length === 0 && <p className="muted">No rebilled calls or fees in the last {MONTHS} months.</p>}
        {report.data && report.data.data.length > 0 && (
          <>
            <p data-testid="margin-totals">
              Last {MONTHS} months: your subaccounts paid {usdText(report.data.totals.resale)}; the platform's part {usdText(report.data.totals.cost)}; your margin{" "}
              <strong>{usdText(report.data.totals.margin)}</strong>.
            </p>
            <ScrollRegion label="Margin table">
              <table aria-label="Margin by subaccount and month">
                <thead>
                  <tr>
                    <th scope="col">Month</th>
                    <th scope="col">Subaccount</th>
                    <th scope="col">Minutes</th>
                    <th scope="col">They paid</th>
                    <th scope="col">Platform</th>
                    <th scope="col">Your margin</th>
                  </tr>
                </thead>
                <tbody>
                  {report.data.data.map((line) => (
                    <tr key={`${line.month}:${line.subaccount_id}`} data-testid={`margin-${line.month}-${line.subaccount_id}`}>
                      <td>{line.month}</td>
                      <td>{line.subaccount_name}</td>
                      <td>{(line.seconds / 60).toFixed(1)}</td>
                      <td>{usdText(line.resale)}</td>
                      <td>{usdText(line.cost)}</td>
                      <td>{usdText(line.margin)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          </>
        )}
      </section>
    </>
  );
}

function ResaleRates({ resale, canEdit, onSaved }: { resale: Resale; canEdit: boolean; onSaved(): void }) {
  const { api, me } = useSession();
  const [widget, setWidget] = useState(resale.rate_per_minute?.web_widget ?? "");
  const [plain, setPlain] = useState(resale.rate_per_minute?.default ?? "");
  const [done, setDone] = useState<string>();
  const { act, busy, error, setError } = useAction(onSaved);
  const cost = resale.cost_per_minute;

  function save(event: FormEvent) {
    event.preventDefault();
    setDone(undefined);
    const w = rateText(widget, "The rate with the Web Widget");
    if (!w.ok) return setError(new Error(w.message));
    const d = rateText(plain, "The rate without it");
    if (!d.ok) return setError(new Error(d.message));
    void act(async () => {
      const saved = await api.send<Resale>("PUT", `/v1/accounts/${me.id}/resale`, { rate_per_minute: { web_widget: w.value, default: d.value } });
      setDone(`Saved: subaccount calls started from now on pay ${usdText(saved.rate_per_minute!.web_widget)} a minute with the Web Widget and ${usdText(saved.rate_per_minute!.default)} without.`);
    });
  }

  return (
    <section className="card" aria-labelledby="resale-title">
      <h2 id="resale-title">Your prices</h2>
      <p className="muted" data-testid="resale-now">
        {resale.rate_per_minute
          ? `Subaccounts pay ${usdText(resale.rate_per_minute.web_widget)} a minute with the Web Widget, ${usdText(resale.rate_per_minute.default)} without.`
          : "You do not resell: subaccounts pay the platform's rates."}{" "}
        You pay {usdText(cost.web_widget)} and {usdText(cost.default)}; your prices may be up to 10× that.
      </p>
      {canEdit && (
        <form onSubmit={save} noValidate>
          <div className="row">
            <div className="field">
              <label htmlFor="resale-widget">USD a minute with the Web Widget</label>
              <input id="resale-widget" inputMode="decimal" value={widget} placeholder={cost.web_widget} onChange={(e) => setWidget(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="resale-default">USD a minute without it</label>
              <input id="resale-default" inputMode="decimal" value={plain} placeholder={cost.default} onChange={(e) => setPlain(e.target.value)} />
            </div>
          </div>
          <button type="submit" className="primary" disabled={busy}>
            Save prices
          </button>
        </form>
      )}
      <FormOutcome error={error} done={done} />
    </section>
  );
}
