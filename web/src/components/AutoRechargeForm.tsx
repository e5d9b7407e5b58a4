import { useEffect, useState, type FormEvent } from "react";
import { parseAmount } from "../../../src/money/parse.js";
import { ApiError, type Api } from "../api/client.js";
import type { Account, PaymentMethod, Preview, Recharge } from "../api/types.js";
import { cardLabel, usdText } from "../money/display.js";
import { emitEvent } from "../embed/parent.js";
import { ChargeConfirmation } from "./ChargeConfirmation.js";
import { ErrorText } from "./ErrorText.js";
import { fieldProblem } from "../text/field-problem.js";
import { useRechargeOutcome } from "../payments/recharge-outcome.js";

type Field = "threshold" | "amount" | "target" | "monthly_limit";
const LABELS: Record<Field, string> = { threshold: "Minimum Threshold", amount: "Auto-Recharge Amount", target: "Target balance", monthly_limit: "Monthly limit" };

export interface Draft {
  enabled: boolean;
  threshold: string;
  /** `fixed`: charge the amount; `target`: charge what lifts the balance to the target. */
  mode: "fixed" | "target";
  amount: string;
  target: string;
  monthlyLimit: string;
  paymentMethodId: string; // "" = the default card
  backupPaymentMethodId: string; // "" = no backup card
}

const draftOf = (account: Account): Draft => ({
  enabled: account.auto_recharge.enabled,
  threshold: account.auto_recharge.threshold,
  mode: account.auto_recharge.mode,
  amount: account.auto_recharge.amount,
  target: account.auto_recharge.target ?? "",
  monthlyLimit: account.auto_recharge.monthly_limit ?? "",
  paymentMethodId: account.auto_recharge.payment_method_id ?? "",
  backupPaymentMethodId: account.auto_recharge.backup_payment_method_id ?? "",
});

/** The request field each part of the draft is saved as. */
const BODY_FIELDS: Record<keyof Draft, string> = {
  enabled: "enabled",
  threshold: "threshold",
  mode: "mode",
  amount: "amount",
  target: "target",
  monthlyLimit: "monthly_limit",
  paymentMethodId: "payment_method_id",
  backupPaymentMethodId: "backup_payment_method_id",
};

/**
 * Only what the user changed since the form was loaded (`baseline`): the server keeps the
 * current value of every field left out (PUT keeps what is not sent), so a form opened before
 * the server moved the card (a recovery onto a new card, a card removed) cannot silently put
 * the old card back by saving a threshold.
 */
export function changedFields(body: Record<string, unknown>, draft: Draft, baseline: Draft): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(BODY_FIELDS) as Array<keyof Draft>) {
    const field = BODY_FIELDS[key];
    if (draft[key] !== baseline[key] && field in body) changed[field] = body[field];
  }
  // The amount that goes with a mode switched to fixed, and the target with target mode.
  if ("mode" in changed) {
    if (draft.mode === "fixed" && "amount" in body) changed.amount = body.amount;
    if (draft.mode === "target" && "target" in body) changed.target = body.target;
  }
  return changed;
}

/** The same parser as the server (src/money/parse.ts): what passes here has the server's format. */
function validate(draft: Draft): { errors: Partial<Record<Field, string>>; body?: Record<string, unknown> } {
  const errors: Partial<Record<Field, string>> = {};
  const threshold = parseAmount(draft.threshold.trim());
  if (!threshold.ok) errors.threshold = `${LABELS.threshold} ${threshold.reason}.`;
  const targetMode = draft.mode === "target";
  const amount = parseAmount(draft.amount.trim());
  if (!targetMode && !amount.ok) errors.amount = `${LABELS.amount} ${amount.reason}.`;
  const target = parseAmount(draft.target.trim());
  if (targetMode && !target.ok) errors.target = `${LABELS.target} ${target.reason}.`;
  if (targetMode && target.ok && threshold.ok && target.micros <= threshold.micros) errors.target = `${LABELS.target} must be above the Minimum Threshold.`;
  const limitText = draft.monthlyLimit.trim();
  const limit = limitText === "" ? undefined : parseAmount(limitText);
  if (limit && !limit.ok) errors.monthly_limit = `${LABELS.monthly_limit} ${limit.reason}.`;
  if (!targetMode && limit?.ok && amount.ok && limit.micros < amount.micros) errors.monthly_limit = `${LABELS.monthly_limit} must be at least the Auto-Recharge Amount, or empty for no limit.`;
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    body: {
      enabled: draft.enabled,
      threshold: draft.threshold.trim(),
      mode: draft.mode,
      // The other mode's number is sent only when it is valid: a half-typed one must not block the save.
      ...(amount.ok ? { amount: draft.amount.trim() } : {}),
      ...(target.ok ? { target: draft.target.trim() } : {}),
      monthly_limit: limitText === "" ? null : limitText,
      payment_method_id: draft.paymentMethodId === "" ? null : draft.paymentMethodId,
      backup_payment_method_id: draft.backupPaymentMethodId === "" ? null : draft.backupPaymentMethodId,
    },
  };
}

/** Puts a server refusal next to the field it names (the envelope's `field`). */
function fieldOf(error: unknown): Field | undefined {
  if (!(error instanceof ApiError) || error.code !== "invalid_request") return undefined;
  return (["threshold", "amount", "target", "monthly_limit"] as const).find((f) => error.field === f);
}

export function AutoRechargeForm(props: {
  api: Api;
  account: Account;
  methods: PaymentMethod[] | undefined;
  onSaved(): void;
  /** False once another part of the page acted after this form: its status line is stale then. */
  statusCurrent?: boolean;
  /** Called when this form starts something whose outcome it will report. */
  onStatus?: () => void;
}) {
  const { api, account } = props;
  const server = draftOf(account);
  const serverKey = JSON.stringify(server);
  // What the form was loaded with: what is saved is only what the user changed from it.
  const [baseline, setBaseline] = useState(server);
  const [draft, setDraft] = useState(server);
  const [movedNote, setMovedNote] = useState<string>();
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<Error>();
  const [confirm, setConfirm] = useState<{ preview: Preview; body: Record<string, unknown> }>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  const path = `/v1/accounts/${account.id}/auto-recharge`;
  // A save that charged at once (threshold sync) is followed to its outcome, not left at "Charging…".
  const charge = useRechargeOutcome(api, account.id, props.methods);

  // The settings changed on the server (a recovery moved the card, a card was removed, another
  // tab saved): an untouched form shows them; an edited one keeps the user's edits and takes
  // the server's value for every other field, and says what moved.
  useEffect(() => {
    if (serverKey === JSON.stringify(baseline)) return;
    const merged = { ...server };
    for (const key of Object.keys(BODY_FIELDS) as Array<keyof Draft>) {
      if (draft[key] !== baseline[key]) (merged as Record<string, unknown>)[key] = draft[key];
    }
    if (server.paymentMethodId !== baseline.paymentMethodId && draft.paymentMethodId === baseline.paymentMethodId) {
      const card = props.methods?.find((m) => m.id === server.paymentMethodId);
      setMovedNote(`The card Auto-Recharge charges has changed to ${card ? cardLabel(card) : "your default card"} since this form was opened.`);
    }
    setBaseline(server);
    setDraft(merged);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serverKey]);

  const edit = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    setSaved(undefined);
    setConfirm(undefined);
    charge.clear();
  };

  function fail(e: unknown) {
    const field = fieldOf(e);
    if (field) setErrors({ [field]: fieldProblem(e as ApiError, LABELS[field]) });
    else setFormError(e as Error);
  }

  async function save(body: Record<string, unknown>, consentText: string | null) {
    // The sentence the customer read beside the button they pressed: the server records it.
    if (consentText !== null) body = { ...body, consent: { text: consentText } };
    const result = await api.send<{ triggered_recharge: Recharge | null } & Account["auto_recharge"]>("PUT", path, body);
    setConfirm(undefined);
    setSaved("Saved.");
    setMovedNote(undefined);
    props.onStatus?.();
    // What the server now holds is the form's new starting point.
    const now = draftOf({ ...account, auto_recharge: result });
    setBaseline(now);
    setDraft(now);
    if (result.triggered_recharge) charge.watch(result.triggered_recharge);
    // What the server saved, as it says it ("80.00", not the "80" typed), and every setting, not only those changed.
    const { enabled, threshold, amount, mode, target, monthly_limit, payment_method_id } = result;
    emitEvent("settings.saved", { enabled, threshold, amount, mode, target, monthly_limit, payment_method_id, triggered_recharge_id: result.triggered_recharge?.id ?? null });
    props.onSaved();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    setSaved(undefined);
    const { errors: found, body: full } = validate(draft);
    setErrors(found);
    if (!full) return;
    const body = changedFields(full, draft, baseline);
    if (Object.keys(body).length === 0) {
      setSaved("Nothing to save: no setting was changed.");
      props.onStatus?.();
      return;
    }
    setBusy(true);
    try {
      // Ask first what saving would do: when it would charge now, the user confirms the amount and
      // card; when it lets Auto-Recharge charge the card, the user agrees to the sentence first.
      const preview = await api.send<Preview>("POST", `${path}/preview`, body);
      if (preview.will_charge || preview.consent_text) setConfirm({ preview, body });
      else await save(body, null);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function confirmAndSave() {
    if (!confirm) return;
    setBusy(true);
    setFormError(undefined);
    try {
      await save(confirm.body, confirm.preview.consent_text);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  const input = (field: Field, key: "threshold" | "amount" | "target" | "monthlyLimit", hint: string) => (
    <div className="field">
      <label htmlFor={`ar-${field}`}>{LABELS[field]}</label>
      <div className="money-input">
        <span aria-hidden="true">$</span>
        <input
          id={`ar-${field}`}
          inputMode="decimal"
          autoComplete="off"
          value={draft[key]}
          placeholder={field === "monthly_limit" ? "no limit" : undefined}
          aria-invalid={errors[field] ? true : undefined}
          aria-describedby={`ar-${field}-hint${errors[field] ? ` ar-${field}-error` : ""}`}
          onChange={(e) => edit({ [key]: e.target.value })}
        />
      </div>
      <p id={`ar-${field}-hint`} className="muted small">{hint}</p>
      {errors[field] && <p id={`ar-${field}-error`} className="field-error" role="alert">{errors[field]}</p>}
    </div>
  );

  const defaultCard = props.methods?.find((pm) => pm.is_default);
  return (
    <section className="card" aria-labelledby="ar-title">
      <h2 id="ar-title">Auto-Recharge</h2>
      <p className="muted">
        When the balance falls below the Minimum Threshold, your card is charged once: {draft.mode === "target" ? "what brings the balance back to the Target balance" : "the Auto-Recharge Amount"}.
      </p>
      <form onSubmit={submit} noValidate>
        <label className="switch">
          <input type="checkbox" role="switch" checked={draft.enabled} onChange={(e) => edit({ enabled: e.target.checked })} />
          <span>Auto-Recharge {draft.enabled ? "on" : "off"}</span>
        </label>
        {/* Off, the numbers are not in effect: showing them (the defaults, 10 and 50, on a new
            account) read as settings someone chose. Turning it on shows them to edit. */}
        {draft.enabled ? (
          <>
              <fieldset className="field modes">
              <legend>How much to charge</legend>
              <label className="check">
                <input type="radio" name="ar-mode" checked={draft.mode === "fixed"} onChange={() => edit({ mode: "fixed" })} /> A fixed amount each time
              </label>
              <label className="check">
                <input type="radio" name="ar-mode" checked={draft.mode === "target"} onChange={() => edit({ mode: "target" })} /> Top up to a target balance
              </label>
            </fieldset>
            <div className="row">
              {input("threshold", "threshold", "Recharge when the balance falls below this.")}
              {draft.mode === "target"
                ? input("target", "target", "Each charge brings the balance back to this (at least $5.00 a charge).")
                : input("amount", "amount", "Charged each time; at least $5.00.")}
            </div>
            {input("monthly_limit", "monthlyLimit", "Optional: most charged per calendar month.")}
            <div className="field">
              <label htmlFor="ar-card">Card to charge</label>
              <select id="ar-card" value={draft.paymentMethodId} onChange={(e) => edit({ paymentMethodId: e.target.value })}>
                {/* With no card saved there is no default to offer: say so instead. */}
                <option value="">{defaultCard ? `Default card (${cardLabel(defaultCard)})` : "No card saved yet"}</option>
                {props.methods?.map((pm) => (
                  <option key={pm.id} value={pm.id}>
                    {cardLabel(pm)}
                  </option>
                ))}
              </select>
            </div>
            {/* A second card, charged once when the first is declined: offered once there are two. */}
            {(props.methods?.length ?? 0) > 1 && (
              <div className="field">
                <label htmlFor="ar-backup-card">Backup card</label>
                <select id="ar-backup-card" value={draft.backupPaymentMethodId} aria-describedby="ar-backup-card-hint" onChange={(e) => edit({ backupPaymentMethodId: e.target.value })}>
                  <option value="">None</option>
                  {props.methods
                    ?.filter((pm) => pm.id !== (draft.paymentMethodId || defaultCard?.id))
                    .map((pm) => (
                      <option key={pm.id} value={pm.id}>
                        {cardLabel(pm)}
                      </option>
                    ))}
                </select>
                <p id="ar-backup-card-hint" className="muted small">Charged once if your card is declined, so calls keep running.</p>
              </div>
            )}
          </>
        ) : (
          <p className="muted" data-testid="auto-recharge-off">
            Off: nothing is charged automatically. When the balance runs out, calls stop until you add funds.
          </p>
        )}
        <ErrorText error={formError} />
        {confirm && confirm.preview.consent_text && (
          <p className="consent" data-testid="consent-text">
            {confirm.preview.consent_text}
          </p>
        )}
        {confirm ? (
          confirm.preview.will_charge ? (
            <ChargeConfirmation
              id="ar-confirm-text"
              testId="charge-confirmation"
              sentence={confirm.preview.message}
              detail={`Your balance ${usdText(confirm.preview.balance, { cents: true })} is below the new threshold ${usdText(confirm.preview.threshold)}.`}
              busy={busy}
              confirmLabel={confirm.preview.consent_text ? "Agree and charge" : undefined}
              onConfirm={() => void confirmAndSave()}
              onCancel={() => setConfirm(undefined)}
            />
          ) : (
            <ChargeConfirmation
              id="ar-consent-text"
              testId="consent-confirmation"
              sentence="Auto-Recharge will charge your card on its own, as the sentence above says."
              busy={busy}
              confirmLabel="Agree and save"
              onConfirm={() => void confirmAndSave()}
              onCancel={() => setConfirm(undefined)}
            />
          )
        ) : (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </button>
            <button type="button" onClick={() => { setDraft(baseline); setErrors({}); setFormError(undefined); setMovedNote(undefined); }} disabled={busy}>
              Reset
            </button>
          </div>
        )}
        {movedNote && (
          <p role="status" className="muted" data-testid="auto-recharge-moved">
            {movedNote}
          </p>
        )}
        {saved && props.statusCurrent !== false && (
          <p role="status" className={charge.outcome?.state === "failed" ? "field-error" : "ok"} data-testid="auto-recharge-outcome">
            {saved}
            {charge.outcome && ` ${charge.outcome.text}`}
          </p>
        )}
      </form>
    </section>
  );
}

/** Read-only view of the settings for an agency looking at a subaccount: text only, no controls. */
export function AutoRechargeSummary({ account }: { account: Account }) {
  const ar = account.auto_recharge;
  return (
    <section className="card" aria-labelledby="ar-title">
      <h2 id="ar-title">Auto-Recharge</h2>
      <dl className="facts">
        <dt>State</dt>
        <dd data-testid="ar-state">{ar.state}</dd>
        {ar.enabled && (
          <>
            <dt>Minimum Threshold</dt>
            <dd>{usdText(ar.threshold)}</dd>
            {ar.mode === "target" && ar.target ? (
              <>
                <dt>Target balance</dt>
                <dd>{usdText(ar.target)} (each charge tops up to it)</dd>
              </>
            ) : (
              <>
                <dt>Auto-Recharge Amount</dt>
                <dd>{usdText(ar.amount)}</dd>
              </>
            )}
            <dt>Monthly limit</dt>
            <dd>{ar.monthly_limit ? usdText(ar.monthly_limit) : "none"}</dd>
          </>
        )}
        <dt>Card</dt>
        <dd>{ar.card ? cardLabel(ar.card) : "none"}</dd>
        {ar.backup_card && (
          <>
            <dt>Backup card</dt>
            <dd>{cardLabel(ar.backup_card)}</dd>
          </>
        )}
        {ar.failure && (
          <>
            <dt>Last failure</dt>
            <dd>
              {ar.failure.message} ({ar.failure.code})
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
