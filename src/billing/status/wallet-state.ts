import { sql } from "drizzle-orm";
import type { AccountStatus } from "../../accounts/accounts.js";
import type { Config } from "../../config/config.js";
import { arrayLiteral } from "../../db/array-literal.js";
import { queryRows, type Tx } from "../../db/database.js";
import { isExpired } from "../../payments/card-number.js";
import { usd, type Micros } from "../../money/micros.js";
import { cost } from "../../money/rating.js";
import { pricingJoin, PRICING_COLUMNS, priceFromRow, ratesFromRow, type PricingRow, type Rates } from "../pricing.js";
import { storedLevels, type StoredLevel } from "./balance-alerts.js";
import { lapsedGrantsSql } from "./lapsed-grants.js";

/** Auto-Recharge settings before a user saves any: off, with the help article's example values. */
export const DEFAULT_SETTINGS = { thresholdMicros: usd(10), amountMicros: usd(50) } as const;

export interface CardRef {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  providerRef: string;
}

/** Everything the money rules need about one account, read in one query. */
export interface WalletState {
  accountId: string;
  agencyId: string | null;
  status: AccountStatus;
  webWidget: boolean;
  /**
   * What the wallet holds now: the ledger's balance less granted credit past its expiry that
   * the expiry worker has not taken off yet (lapsed-grants.ts). Every rule and view uses this.
   */
  balanceMicros: Micros;
  /** The part of the balance that is granted credit not yet expired (spent first). */
  grantedMicros: Micros;
  /** Σ holds of its running calls, how many run, and how many may (null: unlimited). */
  heldMicros: Micros;
  activeCalls: number;
  maxConcurrentCalls: number | null;
  ratePerMinuteMicros: Micros;
  /** Its rates with the Web Widget on and off (one of them is `ratePerMinuteMicros`). */
  rates: Rates;
  /** What one minute costs at the current rate: the line between active and paused. */
  minuteCostMicros: Micros;
  settings: {
    saved: boolean;
    enabled: boolean;
    thresholdMicros: Micros;
    amountMicros: Micros;
    mode: "fixed" | "target";
    /** Target mode's balance to reach; null in fixed mode. */
    targetMicros: Micros | null;
    monthlyLimitMicros: Micros | null;
    paymentMethodId: string | null;
    /** The card charged once when an automatic charge on `paymentMethodId`'s card is declined hard (null: none). */
    backupPaymentMethodId: string | null;
    failing: boolean;
    failingPaymentMethodId: string | null;
    failureCode: string | null;
    failureMessage: string | null;
    limitReached: "daily_count" | "monthly_limit" | null;
  };
  inFlight: { id: string; amountMicros: Micros; status: "pending" | "processing" } | null;
  /** The account's balance alert levels, as stored (empty: none). */
  alertLevels: StoredLevel[];
  /** The card an automatic charge would use: the chosen one if still saved, else the default. */
  card: CardRef | null;
  /** The backup card, if set and still saved. */
  backupCard: CardRef | null;
  /**
   * Cards whose charge is under an open dispute (docs/concepts.md): never charged automatically while
   * it is open, whether or not the account had saved settings when it opened.
   */
  disputedCardIds: string[];
}

interface Row extends PricingRow {
  id: string;
  parent_id: string | null;
  status: AccountStatus;
  web_widget: boolean;
  balance_micros: bigint;
  granted_micros: bigint;
  lapsed_micros: bigint;
  held_micros: bigint;
  active_calls: number;
  max_concurrent_calls: number | null;
  s_account_id: string | null;
  enabled: boolean | null;
  threshold_micros: bigint | null;
  amount_micros: bigint | null;
  mode: "fixed" | "target" | null;
  target_micros: bigint | null;
  alert_levels: StoredLevel[] | string | null;
  monthly_limit_micros: bigint | null;
  payment_method_id: string | null;
  backup_payment_method_id: string | null;
  failing: boolean | null;
  failing_payment_method_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  limit_reached: "daily_count" | "monthly_limit" | null;
  in_flight_id: string | null;
  in_flight_amount: bigint | null;
  in_flight_status: "pending" | "processing" | null;
  card_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
  card_exp_month: number | null;
  card_exp_year: number | null;
  card_provider_ref: string | null;
  backup_id: string | null;
  backup_brand: string | null;
  backup_last4: string | null;
  backup_exp_month: number | null;
  backup_exp_year: number | null;
  backup_provider_ref: string | null;
  disputed_card_ids: string[] | string | null;
}

/**
 * Reads an account's wallet state. Pass `lock` inside a transaction that will decide on
 * a recharge: it locks the wallet row first, the order every money path follows (wallet,
 * then recharges), so two deciders on one account queue instead of both deciding.
 */
export async function loadWalletState(
  tx: Tx,
  rates: Config["rates"],
  accountId: string,
  options: { lock?: boolean } = {},
): Promise<WalletState | undefined> {
  if (options.lock) await tx.execute(sql`select 1 from wallets where account_id = ${accountId} for update`);
  return (await loadWalletStates(tx, rates, [accountId])).get(accountId);
}

/** The wallet states of several accounts in one query (the usage writer's batches). */
export async function loadWalletStates(tx: Tx, rates: Config["rates"], accountIds: string[]): Promise<Map<string, WalletState>> {
  const rows = await queryRows<Row>(
    tx,
    sql`select a.id, a.parent_id, a.status, a.web_widget, w.balance_micros, w.granted_micros, ${lapsedGrantsSql("w")} as lapsed_micros,
               w.held_micros, w.active_calls, a.max_concurrent_calls,
               s.account_id as s_account_id, s.enabled, s.threshold_micros, s.amount_micros, s.mode, s.target_micros, s.monthly_limit_micros,
               s.payment_method_id, s.backup_payment_method_id, s.failing, s.failing_payment_method_id, s.failure_code, s.failure_message, s.limit_reached,
               r.id as in_flight_id, r.amount_micros as in_flight_amount, r.status as in_flight_status,
               c.id as card_id, c.brand as card_brand, c.last4 as card_last4, c.exp_month as card_exp_month,
               c.exp_year as card_exp_year, c.provider_ref as card_provider_ref, ba.levels as alert_levels,
               b.id as backup_id, b.brand as backup_brand, b.last4 as backup_last4, b.exp_month as backup_exp_month,
               b.exp_year as backup_exp_year, b.provider_ref as backup_provider_ref,
               (select array_agg(distinct dr.payment_method_id) from disputes d join recharges dr on dr.id = d.recharge_id
                where d.account_id = a.id and d.status = 'open') as disputed_card_ids,
               ${PRICING_COLUMNS}
        from accounts a
        join wallets w on w.account_id = a.id
        ${pricingJoin("a")}
        left join auto_recharge_settings s on s.account_id = a.id
        left join balance_alerts ba on ba.account_id = a.id
        left join recharges r on r.account_id = a.id and r.status in ('pending', 'processing')
        left join lateral (
          select * from payment_methods pm
          where pm.account_id = a.id and pm.deleted_at is null
            and (pm.id = s.payment_method_id or pm.is_default)
          order by (pm.id = s.payment_method_id) desc nulls last
          limit 1
        ) c on true
        left join payment_methods b on b.id = s.backup_payment_method_id and b.deleted_at is null
        where a.id = any(${arrayLiteral(accountIds)}::text[])`,
  );
  return new Map(rows.map((row) => [row.id, stateFromRow(row, rates)]));
}

function stateFromRow(row: Row, rates: Config["rates"]): WalletState {
  const rate = priceFromRow(rates, row.web_widget, row).ratePerMinuteMicros;
  return {
    accountId: row.id,
    agencyId: row.parent_id,
    status: row.status,
    webWidget: row.web_widget,
    balanceMicros: BigInt(row.balance_micros) - BigInt(row.lapsed_micros),
    grantedMicros: BigInt(row.granted_micros) - BigInt(row.lapsed_micros),
    heldMicros: BigInt(row.held_micros),
    activeCalls: Number(row.active_calls),
    maxConcurrentCalls: row.max_concurrent_calls,
    ratePerMinuteMicros: rate,
    rates: ratesFromRow(rates, row),
    minuteCostMicros: cost(60, rate),
    settings: {
      saved: row.s_account_id !== null,
      enabled: row.enabled ?? false,
      thresholdMicros: row.threshold_micros ?? DEFAULT_SETTINGS.thresholdMicros,
      amountMicros: row.amount_micros ?? DEFAULT_SETTINGS.amountMicros,
      mode: row.mode ?? "fixed",
      targetMicros: row.target_micros === null ? null : BigInt(row.target_micros),
      monthlyLimitMicros: row.monthly_limit_micros,
      paymentMethodId: row.payment_method_id,
      backupPaymentMethodId: row.backup_payment_method_id,
      failing: row.failing ?? false,
      failingPaymentMethodId: row.failing_payment_method_id,
      failureCode: row.failure_code,
      failureMessage: row.failure_message,
      limitReached: row.limit_reached,
    },
    inFlight:
      row.in_flight_id && row.in_flight_amount !== null && row.in_flight_status
        ? { id: row.in_flight_id, amountMicros: BigInt(row.in_flight_amount), status: row.in_flight_status }
        : null,
    alertLevels: storedLevels(row.alert_levels),
    disputedCardIds: textArray(row.disputed_card_ids),
    backupCard: row.backup_id
      ? {
          id: row.backup_id,
          brand: row.backup_brand!,
          last4: row.backup_last4!,
          expMonth: row.backup_exp_month!,
          expYear: row.backup_exp_year!,
          providerRef: row.backup_provider_ref!,
        }
      : null,
    card: row.card_id
      ? {
          id: row.card_id,
          brand: row.card_brand!,
          last4: row.card_last4!,
          expMonth: row.card_exp_month!,
          expYear: row.card_exp_year!,
          providerRef: row.card_provider_ref!,
        }
      : null,
  };
}

/** A text[] as either driver returns it: an array, or (PGlite) its literal `{a,b}`. */
function textArray(value: string[] | string | null): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, "");
  return inner === "" ? [] : inner.split(",").map((v) => v.replace(/^"|"$/g, ""));
}

/** A card we may charge: saved and not past its expiry month. */
export function usableCard(state: WalletState, now: Date): CardRef | null {
  return state.card && !isExpired(state.card.expMonth, state.card.expYear, now) ? state.card : null;
}

/** The Auto-Recharge state shown to users: a charge in flight, else failing, else off/idle. */
export function autoRechargeState(state: WalletState): "off" | "idle" | "recharging" | "failing" {
  if (state.inFlight) return "recharging";
  if (state.settings.failing || state.disputedCardIds.length > 0) return "failing";
  return state.settings.enabled ? "idle" : "off";
}
