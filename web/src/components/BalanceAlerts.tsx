import { useEffect, useState, type FormEvent } from "react";
import type { Api } from "../api/client.js";
import type { components } from "../api/schema.js";
import { useResource } from "../api/use-resource.js";
import { parseAmount } from "../../../src/money/parse.js";
import { usdText } from "../money/display.js";
import { ErrorText } from "./ErrorText.js";

type Alerts = components["schemas"]["BalanceAlerts"];
type Row = { unit: "usd" | "minutes"; value: string };

const MAX_LEVELS = 5;

const rowsOf = (alerts: Alerts): Row[] =>
  alerts.levels.map((l) => (l.below_minutes !== undefined ? { unit: "minutes", value: l.below_minutes } : { unit: "usd", value: l.below ?? "" }));

/**
 * Balance alerts: up to 5 levels in dollars or minutes (a minutes level's dollar value follows
 * the Web Widget's rate). Crossing one down sends an alert, crossing it back up a recovery;
 * independent of Auto-Recharge (docs/concepts.md).
 */
export function BalanceAlerts({ api, accountId, refresh }: { api: Api; accountId: string; refresh: unknown }) {
  const [saved, setSaved] = useState(0);
  const alerts = useResource(() => api.get<Alerts>(`/v1/accounts/${accountId}/alerts`), [accountId, saved, refresh]);
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<Error>();
  const [note, setNote] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (alerts.data) setRows(rowsOf(alerts.data));
  }, [alerts.data]);

  const change = (i: number, patch: Partial<Row>) => {
    setNote(undefined);
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setNote(undefined);
    for (const r of rows) {
      const problem = r.unit === "usd" ? (parseAmount(r.value.trim()).ok ? null : "Enter dollars such as 20.00.") : /^[1-9]\d{0,4}$/.test(r.value.trim()) ? null : "Enter whole minutes, such as 60.";
      if (problem) return setError(new Error(problem));
    }
    setBusy(true);
    try {
      const levels = rows.map((r) => (r.unit === "usd" ? { below: r.value.trim() } : { below_minutes: r.value.trim() }));
      await api.send("PUT", `/v1/accounts/${accountId}/alerts`, { levels });
      setNote(levels.length === 0 ? "Saved: no balance alerts." : "Saved: you are told once each time the balance falls below a level, and when it recovers.");
      setSaved((n) => n + 1);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  const current = alerts.data?.levels ?? [];
  const savedRows = rowsOf({ levels: current });
  return (
    <section className="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Balance alerts</h2>
      <p className="muted">Be told when the balance falls below a level, with or without Auto-Recharge.</p>
      <form onSubmit={save} noValidate>
        <ul className="plain-list" aria-label="Alert levels">
          {rows.map((row, i) => (
            <li key={i} className="row">
              <div className="field">
                <label htmlFor={`alert-value-${i}`}>Level {i + 1}</label>
                <input id={`alert-value-${i}`} inputMode="decimal" value={row.value} onChange={(e) => change(i, { value: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`alert-unit-${i}`}>Unit</label>
                <select id={`alert-unit-${i}`} value={row.unit} onChange={(e) => change(i, { unit: e.target.value as Row["unit"] })}>
                  <option value="usd">dollars</option>
                  <option value="minutes">minutes of calls</option>
                </select>
              </div>
              <p className="muted small">
                {savedRows[i]?.unit === row.unit && savedRows[i]?.value === row.value ? `Now ${usdText(current[i]!.amount)}` : "Not saved yet"}
              </p>
              <button type="button" className="small" aria-label={`Remove level ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        {rows.length === 0 && <p className="muted">No alert levels.</p>}
        {rows.length < MAX_LEVELS && (
          <button type="button" className="small" onClick={() => setRows([...rows, { unit: "usd", value: "" }])}>
            Add a level
          </button>
        )}{" "}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : "Save alerts"}
        </button>
        <ErrorText error={error ?? alerts.error} />
        {note && (
          <p role="status" className="ok">
            {note}
          </p>
        )}
      </form>
    </section>
  );
}
