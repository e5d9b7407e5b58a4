// Shapes of the v1 API as the dashboard reads them (see /openapi.json). Money is a decimal string.

export type AutoRechargeState = "off" | "idle" | "recharging" | "failing";

export interface AutoRecharge {
  enabled: boolean;
  threshold: string;
  amount: string;
  monthly_limit: string | null;
  payment_method_id: string | null;
  card: { id: string; brand: string; last4: string } | null;
  state: AutoRechargeState;
  failure: { code: string; message: string } | null;
  limit_reached: "daily_count" | "monthly_limit" | null;
  in_flight_recharge_id: string | null;
}

export interface Account {
  id: string;
  name: string;
  type: "user" | "agency" | "subaccount";
  parent_id: string | null;
  web_widget: boolean;
  status: "active" | "paused";
  balance: string;
  rate_per_minute: string;
  minutes_available: string;
  auto_recharge: AutoRecharge;
  created_at: string;
}

export interface PaymentMethod {
  id: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  is_default: boolean;
  created_at: string;
}

export interface Recharge {
  id: string;
  trigger: "auto" | "threshold_sync" | "manual" | "retry";
  amount: string;
  status: "pending" | "processing" | "succeeded" | "failed";
  failure_code: string | null;
  failure_message: string | null;
  created_at: string;
}

export interface Transaction {
  id: string;
  type: "usage" | "recharge" | "adjustment";
  amount: string;
  balance_after: string;
  call_id: string | null;
  recharge_id: string | null;
  reason: string | null;
  created_at: string;
}

export interface Notification {
  id: string;
  type: string;
  account_id: string;
  message: string;
  created_at: string;
  read: boolean;
}

export interface UsageDay {
  day: string;
  seconds: number;
  minutes: string;
  calls: number;
  cost: string;
}

export interface Preview {
  will_charge: boolean;
  amount: string | null;
  card: { id: string; brand: string; last4: string } | null;
  balance: string;
  threshold: string;
  reason: string | null;
  message: string;
}

export interface Pricing {
  rate_with_widget: string;
  rate_without_widget: string;
  payments: "sandbox" | "stripe";
}

export interface PaymentAuthentication {
  payment_intent_id: string;
  client_secret: string;
  publishable_key: string | null;
  api_base: string;
}

export interface CardSetup {
  setup_intent_id: string;
  client_secret: string;
  publishable_key: string | null;
  api_base: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
