import type { Api } from "../api/client.js";
import type { Account, PaymentMethod } from "../api/types.js";
import { AutoRechargeSummary } from "./AutoRechargeForm.js";
import { Banners } from "./Banners.js";
import { Grants } from "./Grants.js";
import { History } from "./History.js";
import { PaymentMethods } from "./PaymentMethods.js";
import { UsageChart } from "./UsageChart.js";
import { WalletCard } from "./WalletCard.js";

/**
 * An account's Payments facts with no control: what an agency sees of a subaccount and what a
 * viewer session sees of its own account, and the operator of any. `refresh` reloads the chart and
 * history when it changes.
 */
export function AccountFacts({ api, account, methods, refresh }: { api: Api; account: Account; methods: PaymentMethod[] | undefined; refresh: string }) {
  return (
    <>
      <Banners account={account} />
      <div className="grid">
        <WalletCard account={account} readOnly />
        <PaymentMethods api={api} accountId={account.id} methods={methods} readOnly onChanged={() => {}} />
      </div>
      <AutoRechargeSummary account={account} />
      <Grants api={api} accountId={account.id} refresh={refresh} />
      <UsageChart api={api} accountId={account.id} refresh={refresh} />
      <History api={api} accountId={account.id} refresh={refresh} />
    </>
  );
}
