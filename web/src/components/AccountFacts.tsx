import type { Account, PaymentMethod } from "../api/types.js";
import { useSession } from "../session/session.js";
import { AutoRechargeSummary } from "./AutoRechargeForm.js";
import { Banners } from "./Banners.js";
import { History } from "./History.js";
import { PaymentMethods } from "./PaymentMethods.js";
import { UsageChart } from "./UsageChart.js";
import { WalletCard } from "./WalletCard.js";

/**
 * An account's Payments facts with no control: what an agency sees of a subaccount and what a
 * viewer session sees of its own account. `refresh` reloads the chart and history when it changes.
 */
export function AccountFacts({ account, methods, refresh }: { account: Account; methods: PaymentMethod[] | undefined; refresh: string }) {
  const { api } = useSession();
  return (
    <>
      <Banners account={account} />
      <div className="grid">
        <WalletCard account={account} readOnly />
        <PaymentMethods api={api} accountId={account.id} methods={methods} readOnly onChanged={() => {}} />
      </div>
      <AutoRechargeSummary account={account} />
      <UsageChart api={api} accountId={account.id} refresh={refresh} />
      <History api={api} accountId={account.id} refresh={refresh} />
    </>
  );
}
