import { useState } from "react";
import { minutesAvailable } from "../../../src/money/rating.js";
import type { Account } from "../api/types.js";
import { parseMicros, usdText } from "../money/display.js";
import { ErrorText } from "./ErrorText.js";
import { runwayText } from "../text/runway.js";

/** "≈ 75.00 minutes at $0.16/min (Web Widget on)" */
export function minutesLine(account: Account): string {
  return `≈ ${account.minutes_available} minutes at ${usdText(account.rate_per_minute)}/min (Web Widget ${account.web_widget ? "on" : "off"})`;
}

/**
 * The balance, what it buys, and the Web Widget switch. Switching first spells out its effect
 * (the rate of new calls, and the minutes the balance then buys) and applies only on confirm.
 */
export function WalletCard(props: {
  account: Account;
  readOnly?: boolean;
  onSetWidget?: (on: boolean) => Promise<void>;
  onAddFunds?: () => void;
}) {
  const { account } = props;
  const [pending, setPending] = useState<boolean>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const effect = (() => {
    if (pending === undefined) return undefined;
    // The account's own rates (its plan's, or its agency's prices), not the platform's defaults.
    const rate = pending ? account.rates_per_minute.web_widget : account.rates_per_minute.default;
    const minutes = minutesAvailable(parseMicros(account.balance), parseMicros(rate));
    return (
      `Turning the Web Widget ${pending ? "on" : "off"} changes the rate of new calls from ` +
      `${usdText(account.rate_per_minute)}/min to ${usdText(rate)}/min: your balance would last ≈ ${minutes} minutes ` +
      `instead of ≈ ${account.minutes_available}. Calls already running keep their rate.`
    );
  })();

  async function apply() {
    if (pending === undefined || !props.onSetWidget) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onSetWidget(pending);
      setPending(undefined);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card wallet" aria-labelledby="wallet-title">
      <h2 id="wallet-title">Wallet</h2>
      <p className="balance" title={`$${account.balance}`}>
        <span className="sr-only">Balance: </span>
        <span data-testid="balance">{usdText(account.balance, { cents: true })}</span>
      </p>
      <p className="minutes" data-testid="minutes">
        {minutesLine(account)}
      </p>
      {parseMicros(account.granted_balance) > 0n && (
        <p className="muted small" data-testid="wallet-granted">
          Includes {usdText(account.granted_balance)} of granted credit, spent first
        </p>
      )}
      <p className="muted small" data-testid="runway">
        Runway: {runwayText(account.runway_hours)}
        {account.runway_hours !== null && " at the last 24 hours' pace"}
      </p>
      {account.active_calls > 0 && (
        <p className="muted small" data-testid="wallet-running-calls">
          {account.active_calls === 1 ? "1 call" : `${account.active_calls} calls`} running, holding {usdText(account.held)} until {account.active_calls === 1 ? "it ends" : "they end"}
          {account.max_concurrent_calls !== null && ` (at most ${account.max_concurrent_calls} at once)`}
        </p>
      )}
      {props.onAddFunds && (
        <p>
          <button type="button" className="small" onClick={props.onAddFunds}>
            Add funds
          </button>
        </p>
      )}
      {props.readOnly ? (
        <p className="muted">Web Widget: {account.web_widget ? "on" : "off"}</p>
      ) : (
        <div className="widget-switch">
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={pending ?? account.web_widget}
              disabled={busy || pending !== undefined}
              onChange={(e) => setPending(e.target.checked)}
            />
            <span>Web Widget</span>
          </label>
          {effect && (
            <div className="confirm" role="group" aria-label="Confirm the Web Widget change">
              <p>{effect}</p>
              <button type="button" className="primary" onClick={apply} disabled={busy}>
                {pending ? "Turn on" : "Turn off"}
              </button>
              <button type="button" onClick={() => setPending(undefined)} disabled={busy}>
                Cancel
              </button>
            </div>
          )}
          <ErrorText error={error} />
        </div>
      )}
    </section>
  );
}
