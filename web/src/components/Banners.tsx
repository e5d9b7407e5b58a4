import type { Account } from "../api/types.js";
import { cardLabel } from "../money/display.js";

/** The states a user must notice: a recharge under way, a failed payment, a paused account. */
export function Banners({ account, onUpdateCard }: { account: Account; onUpdateCard?: (() => void) | undefined }) {
  const ar = account.auto_recharge;
  return (
    <div className="banners">
      {account.status === "paused" && (
        <div className="banner banner-danger" role="alert" data-testid="paused-banner">
          <strong>Account paused.</strong> New calls are refused until the wallet is funded
          {ar.failure ? " and the payment problem is fixed." : "."}
        </div>
      )}
      {ar.state === "failing" && ar.failure && (
        <div className="banner banner-warning" role="alert" data-testid="failure-banner">
          <strong>Auto-Recharge payment failed:</strong> {ar.failure.message} <span className="muted">({ar.failure.code})</span>
          {onUpdateCard && (
            <button type="button" className="primary small" onClick={onUpdateCard}>
              Update card
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
