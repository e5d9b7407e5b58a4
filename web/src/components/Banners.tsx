import { useState } from "react";
import type { Account } from "../api/types.js";
import { cardLabel, usdText } from "../money/display.js";

/** The states a user must notice: a recharge under way, a failed payment, a paused account. */
export function Banners({
  account,
  onUpdateCard,
  onConfirmPayment,
  onAddFunds,
}: {
  account: Account;
  onUpdateCard?: (() => void) | undefined;
  /** Given to an owner: opens Add funds (the failure notice and the paused banner both point there). */
  onAddFunds?: (() => void) | undefined;
  /** Given on Stripe: confirms a payment the bank held for authentication; resolves to what to tell the user. */
  onConfirmPayment?: (() => Promise<string>) | undefined;
}) {
  const ar = account.auto_recharge;
  const [confirmNote, setConfirmNote] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const confirm = async () => {
    setConfirming(true);
    try {
      setConfirmNote(await onConfirmPayment!());
    } catch (e) {
      setConfirmNote((e as Error).message);
    } finally {
      setConfirming(false);
    }
  };
  return (
    <div className="banners">
      {account.status === "paused" && (
        <div className="banner banner-danger" role="alert" data-testid="paused-banner">
          <strong>Account paused.</strong> New calls are refused until the wallet is funded
          {ar.failure ? " and the payment problem is fixed." : "."}
          {onAddFunds && (
            <button type="button" className="primary small" onClick={onAddFunds}>
              Add funds
            </button>
          )}
        </div>
      )}
      {ar.state === "failing" && ar.failure && (
        <div className="banner banner-warning" role="alert" data-testid="failure-banner">
          <strong>Auto-Recharge payment failed:</strong> {ar.failure.message} <span className="muted">({ar.failure.code})</span>
          {onConfirmPayment && ar.failure.code === "authentication_required" && (
            <button type="button" className="primary small" onClick={() => void confirm()} disabled={confirming}>
              Confirm payment
            </button>
          )}
          {onUpdateCard && (
            <button type="button" className="primary small" onClick={onUpdateCard}>
              Update card
            </button>
          )}
          {onAddFunds && account.status !== "paused" && (
            <button type="button" className="small" onClick={onAddFunds}>
              Add funds
            </button>
          )}

        </div>
      )}
      {/* Outside the failure banner: a confirmed payment clears that banner, and the note must stay. */}
      {confirmNote && (
        <div className="banner banner-info" role="status" data-testid="confirm-note">
          {confirmNote}
        </div>
      )}
      {/* Below zero with nothing to top it up: running calls went past the balance, and new calls need a minute of credit. */}
      {account.status !== "paused" && account.balance.startsWith("-") && ar.state !== "recharging" && ar.state !== "failing" && (
        <div className="banner banner-warning" role="status" data-testid="negative-banner">
          <strong>Your balance is {usdText(account.balance, { cents: true })}.</strong> Calls already running went past it; new calls start again once the balance
          covers a minute. {ar.enabled ? "Auto-Recharge tops it up at the next call's usage." : "Add funds, or turn on Auto-Recharge."}
          {onAddFunds && (
            <button type="button" className="primary small" onClick={onAddFunds}>
              Add funds
            </button>
          )}
        </div>
      )}
      {ar.state === "recharging" && (
        <div className="banner banner-info" role="status" data-testid="recharging-banner">
          A recharge is in progress{ar.card ? ` on ${cardLabel(ar.card)}` : ""}: the balance rises when the payment succeeds.
        </div>
      )}
      {ar.limit_reached && (
        <div className="banner banner-warning" role="status">
          Auto-Recharge is held back: the {ar.limit_reached === "monthly_limit" ? "monthly limit" : "daily number of automatic charges"} is
          reached.
        </div>
      )}
    </div>
  );
}
