import { useState } from "react";
import { BalanceAlerts } from "../components/BalanceAlerts.js";
import type { Account, Page, PaymentMethod, Pricing } from "../api/types.js";
import { useResource } from "../api/use-resource.js";
import { AccountFacts } from "../components/AccountFacts.js";
import { AddFunds } from "../components/AddFunds.js";
import { AutoRechargeForm } from "../components/AutoRechargeForm.js";
import { useRechargeEvents } from "../embed/recharge-events.js";
import { Banners } from "../components/Banners.js";
import { confirmHeldPayment } from "../payments/confirm-payment.js";
import { ErrorText } from "../components/ErrorText.js";
import { Grants } from "../components/Grants.js";
import { History } from "../components/History.js";
import { PaymentMethods } from "../components/PaymentMethods.js";
import { UsageChart } from "../components/UsageChart.js";
import { WalletCard } from "../components/WalletCard.js";
import { useSession } from "../session/session.js";

// While a recharge is under way the page looks every second, so the balance rises as soon as
// the charge settles; otherwise every 5 s, which keeps usage by running calls visible.
const FAST_POLL_MS = 1_000;
const SLOW_POLL_MS = 5_000;

/** A viewer session's Payments page: every fact, no control (the API refuses a viewer's writes too). */
function ViewerPayments({ account, methods, moved }: { account: Account; methods: PaymentMethod[] | undefined; moved: string }) {
  const { api } = useSession();
  return (
    <>
      <h1>{account.type === "agency" ? "Agency wallet" : "Payments"}</h1>
      <p className="muted">View only. Ask your administrator to change cards or Auto-Recharge.</p>
      <AccountFacts api={api} account={account} methods={methods} refresh={moved} />
    </>
  );
}

export function PaymentsPage() {
  const { api, me, canEdit } = useSession();
  const [refresh, setRefresh] = useState(0);
  const [cardFormToken, setCardFormToken] = useState(0);
  const [addFundsToken, setAddFundsToken] = useState(0);
  const openAddFunds = () => setAddFundsToken((n) => n + 1);
  const openCardForm = () => {
    setCardFormToken((n) => n + 1);
    document.getElementById("payment-methods")?.scrollIntoView({ behavior: "smooth" });
  };
  const [pollMs, setPollMs] = useState(SLOW_POLL_MS);
  // The part of the page that acted last owns the status line: an older "Charged $25.00 —
  // balance $37.00" or a failure already fixed elsewhere is not left on screen beside newer facts.
  const [statusOwner, setStatusOwner] = useState<"add-funds" | "auto-recharge" | "cards">();
  const bump = () => setRefresh((n) => n + 1);

  const account = useResource(async () => {
    const a = await api.get<Account>(`/v1/accounts/${me.id}`);
    setPollMs(a.auto_recharge.state === "recharging" ? FAST_POLL_MS : SLOW_POLL_MS);
    return a;
  }, [me.id, refresh], pollMs);
  const methods = useResource(() => api.get<Page<PaymentMethod>>(`/v1/accounts/${me.id}/payment-methods`), [me.id, refresh]);
  const pricing = useResource(() => api.get<Pricing>("/v1/pricing"), []);
  useRechargeEvents(api, me.id, account.data ? `${account.data.balance}|${account.data.auto_recharge.state}|${refresh}` : undefined);

  const a = account.data;
  if (!a) return account.error ? <ErrorText error={account.error} /> : <p role="status">Loading…</p>;
  // History and usage reload when a payment or usage moves the balance, not only on our own actions.
  const moved = `${refresh}|${a.balance}|${a.auto_recharge.state}`;
  if (!canEdit) return <ViewerPayments account={a} methods={methods.data?.data} moved={moved} />;

  return (
    <>
      <h1>{me.type === "agency" ? "Agency wallet" : "Payments"}</h1>
      <ErrorText error={account.error} />
      <Banners
        account={a}
        onConfirmPayment={
          pricing.data?.payments === "stripe"
            ? async () => {
                const note = await confirmHeldPayment(api, me.id);
                bump();
                return note;
              }
            : undefined
        }
        onUpdateCard={openCardForm}
        onAddFunds={openAddFunds}
      />
      <div className="grid">
        <WalletCard
          account={a}
          onSetWidget={async (on) => {
            await api.send("PATCH", `/v1/accounts/${me.id}`, { web_widget: on });
            bump();
          }}
          onAddFunds={openAddFunds}
        />
        <PaymentMethods
          api={api}
          accountId={me.id}
          methods={methods.data?.data}
          provider={pricing.data?.payments}
          openFormToken={cardFormToken}
          failing={a.auto_recharge.state === "failing"}
          onChanged={bump}
          statusCurrent={statusOwner === "cards"}
          onStatus={() => setStatusOwner("cards")}
        />
      </div>
      <AddFunds
        api={api}
        accountId={me.id}
        methods={methods.data?.data}
        focusToken={addFundsToken}
        onAddCard={openCardForm}
        onCharged={bump}
        statusCurrent={statusOwner === "add-funds"}
        onStatus={() => setStatusOwner("add-funds")}
      />
      <AutoRechargeForm
        api={api}
        account={a}
        methods={methods.data?.data}
        onSaved={bump}
        statusCurrent={statusOwner === "auto-recharge"}
        onStatus={() => setStatusOwner("auto-recharge")}
      />
      <Grants api={api} accountId={me.id} refresh={moved} />
      {/* A widget switch moves a minutes level's dollar value: reloaded with the account. */}
      <BalanceAlerts api={api} accountId={me.id} refresh={a.rate_per_minute} />
      <UsageChart api={api} accountId={me.id} refresh={moved} />
      <History api={api} accountId={me.id} refresh={moved} />
    </>
  );
}
