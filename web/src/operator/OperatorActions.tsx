import { useState, type FormEvent } from "react";
import type { Api } from "../api/client.js";
import type { Account, NewApiKey } from "../api/types.js";
import { formatMicros } from "../../../src/money/micros.js";
import { parseAmount } from "../../../src/money/parse.js";
import { useAction } from "../api/use-action.js";
import { ErrorText } from "../components/ErrorText.js";
import { usdText } from "../money/display.js";
import { SecretOnce } from "../settings/SecretOnce.js";
import { GiveCredit } from "./GiveCredit.js";
import { RefundPayment } from "./RefundPayment.js";
import { ReviewStep } from "../components/ReviewStep.js";
import { FormOutcome } from "../components/FormOutcome.js";

/**
 * What the operator does to one account, each said before it is done and audited by the
 * server: a signed adjustment with its reason, the calls it may run at once, a refund, a
 * credit grant, an API key (shown once), a viewer link.
 */
export function OperatorActions({ api, account, onChanged }: { api: Api; account: Account; onChanged(): void }) {
  return (
    <div className="grid">
      <div>
        <Adjust api={api} account={account} onChanged={onChanged} />
        <CallLimit api={api} account={account} onChanged={onChanged} />
        <RefundPayment api={api} account={account} onChanged={onChanged} />
      </div>
      <div>
        <GiveCredit api={api} account={account} onChanged={onChanged} />
        <IssueKey api={api} account={account} />
        <ViewerLink api={api} account={account} />
      </div>
    </div>
  );
}

function Adjust({ api, account, onChanged }: { api: Api; account: Account; onChanged(): void }) {
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState<string>();
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const check = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setDone(undefined);
    // The server's own parser (src/money/parse.ts): what passes here has the server's format.
    const parsed = parseAmount(amount.trim(), { signed: true });
    if (!parsed.ok) return setError(new Error(`Amount ${parsed.reason}.`));
    if (parsed.micros === 0n) return setError(new Error("An adjustment must move money."));
    if (reason.trim() === "") return setError(new Error("Say why: the reason is kept with the entry and in the audit log."));
    setConfirming(formatMicros(parsed.micros));
  };

  async function post() {
    if (!confirming) return;
    setBusy(true);
    try {
      const entry = await api.send<{ amount: string; balance_after: string }>("POST", `/v1/accounts/${account.id}/adjustments`, { amount: confirming, reason: reason.trim() });
      setDone(`Posted ${usdText(entry.amount, { signed: true })}: the balance is now ${usdText(entry.balance_after)}.`);
      setAmount("");
      setReason("");
      setConfirming(undefined);
      onChanged();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="adjust-title">
      <h2 id="adjust-title">Adjust the balance</h2>
      <p className="muted">A credit (goodwill, a dropped call) or a debit (a correction), posted as a new ledger entry with its reason. A debit counts like usage: it can start Auto-Recharge or pause the account.</p>
      <form onSubmit={check} noValidate>
        <div className="field">
          <label htmlFor="adjust-amount">Amount (USD; negative to debit)</label>
          <input id="adjust-amount" inputMode="decimal" value={amount} placeholder="5.00 or -2.50" onChange={(e) => { setAmount(e.target.value); setConfirming(undefined); }} />
        </div>
        <div className="field">
          <label htmlFor="adjust-reason">Reason</label>
          <input id="adjust-reason" value={reason} maxLength={500} placeholder="e.g. credit for call dropped on 2 Dec" onChange={(e) => { setReason(e.target.value); setConfirming(undefined); }} />
        </div>
        <ErrorText error={error} />
        <ReviewStep
          subject="adjustment"
          summary={
            confirming
              ? `${confirming.startsWith("-") ? "Debit" : "Credit"} ${usdText(confirming.replace(/^-/, ""))} ${confirming.startsWith("-") ? "from" : "to"} ${account.name}, balance now ${usdText(account.balance)}: “${reason.trim()}”.`
              : undefined
          }
          reviewLabel="Review adjustment"
          confirmLabel="Post adjustment"
          busy={busy}
          onConfirm={() => void post()}
          onCancel={() => setConfirming(undefined)}
        />
        {done && (
          <p role="status" className="ok">
            {done}
          </p>
        )}
      </form>
    </section>
  );
}

/** How many calls the account may run at once (docs/concepts.md Concurrency): empty is unlimited, 0 stops new calls. */
function CallLimit({ api, account, onChanged }: { api: Api; account: Account; onChanged(): void }) {
  const [limit, setLimit] = useState(account.max_concurrent_calls === null ? "" : String(account.max_concurrent_calls));
  const [done, setDone] = useState<string>();
  const { act, busy, error, setError } = useAction(onChanged);

  function save(event: FormEvent) {
    event.preventDefault();
    setDone(undefined);
    const text = limit.trim();
    if (text !== "" && !/^\d{1,6}$/.test(text)) return setError(new Error("The limit is a whole number of calls (0 stops new calls), or empty for unlimited."));
    void act(async () => {
      const saved = await api.send<Account>("PATCH", `/v1/accounts/${account.id}`, { max_concurrent_calls: text === "" ? null : Number(text) });
      const n = saved.max_concurrent_calls;
      setDone(n === null ? "Saved: no limit." : `Saved: at most ${n === 1 ? "1 call" : `${n} calls`} at once. Running calls go on.`);
    });
  }

  return (
    <section className="card" aria-labelledby="call-limit-title">
      <h2 id="call-limit-title">Calls at once</h2>
      <p className="muted" data-testid="running-calls">
        {account.active_calls} running now{account.active_calls > 0 && `, holding ${usdText(account.held)}`}; limit: {account.max_concurrent_calls ?? "none"}.
      </p>
      <form onSubmit={save} noValidate className="row">
        <div className="field">
          <label htmlFor="call-limit">Most calls at once (empty: unlimited)</label>
          <input id="call-limit" inputMode="numeric" value={limit} placeholder="unlimited" onChange={(e) => setLimit(e.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Save limit
        </button>
      </form>
      <FormOutcome error={error} done={done} />
    </section>
  );
}

function IssueKey({ api, account }: { api: Api; account: Account }) {
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"full" | "read" | "usage">("full");
  const [made, setMade] = useState<NewApiKey>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      setMade(await api.send<NewApiKey>("POST", `/v1/accounts/${account.id}/api-keys`, { ...(name.trim() ? { name: name.trim() } : {}), scope }));
      setName("");
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="issue-key-title">
      <h2 id="issue-key-title">Issue an API key</h2>
      {made && <SecretOnce label={`New ${made.scope} key for ${account.name}`} value={made.key} onDone={() => setMade(undefined)} />}
      <form onSubmit={create} noValidate className="row">
        <div className="field">
          <label htmlFor="issue-key-name">Key name</label>
          <input id="issue-key-name" value={name} maxLength={100} placeholder="e.g. backend" onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="issue-key-scope">Key scope</label>
          <select id="issue-key-scope" value={scope} onChange={(e) => setScope(e.target.value as "full" | "read" | "usage")}>
            <option value="full">Full</option>
            <option value="read">Read</option>
            <option value="usage">Usage (call infrastructure)</option>
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy}>
          Issue key
        </button>
      </form>
      <ErrorText error={error} />
    </section>
  );
}

/** A viewer link: the operator sees the account's own page as its owner would, and cannot change it. */
function ViewerLink({ api, account }: { api: Api; account: Account }) {
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<Error>();
  async function open() {
    setError(undefined);
    try {
      // 15 minutes: long enough to look around, short enough that a forgotten tab closes itself.
      const made = await api.send<{ url: string }>("POST", `/v1/accounts/${account.id}/sessions`, { role: "viewer", ttl_seconds: 900 });
      setLink(made.url);
    } catch (e) {
      setError(e as Error);
    }
  }
  return (
    <section className="card" aria-labelledby="viewer-link-title">
      <h2 id="viewer-link-title">See the account's page</h2>
      <p className="muted">A viewer link opens {account.name}'s Payments page as its owner sees it, with no control. It works once, within 60 s, for 15 minutes; it is in the account's Activity.</p>
      {link ? (
        <p>
          <a href={link} target="_blank" rel="noopener noreferrer" data-testid="viewer-link" onClick={() => setLink(undefined)}>
            Open {account.name}'s page (viewer)
          </a>
        </p>
      ) : (
        <button type="button" onClick={() => void open()}>
          Make a viewer link
        </button>
      )}
      <ErrorText error={error} />
    </section>
  );
}
