// Shapes of the v1 API as the dashboard reads them: generated from the service's /openapi.json
// into schema.d.ts (`npm run api:types`), never written by hand. Money is a decimal string.
import type { components } from "./schema.js";

type Schemas = components["schemas"];

export type Account = Schemas["Account"];
/** The signed-in account, with what its credential may do there. */
export type Me = Schemas["Me"];
export type ApiKeyRecord = Schemas["ApiKeyRecord"];
export type NewApiKey = Schemas["ApiKey"];
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type NewWebhookEndpoint = Schemas["CreatedWebhookEndpoint"];
export type Delivery = Schemas["Delivery"];
export type AuditEntry = Schemas["AuditEntry"];
export type Branding = Schemas["Branding"];
export type AutoRecharge = Schemas["AutoRechargeSettings"];
export type AutoRechargeState = AutoRecharge["state"];
export type PaymentMethod = Schemas["PaymentMethod"];
export type SavedPaymentMethod = Schemas["SavedPaymentMethod"];
export type Recharge = Schemas["Recharge"];
export type Refund = Schemas["Refund"];
export type Grant = Schemas["Grant"];
export type Transaction = Schemas["Transaction"];
export type CallRecord = Schemas["CallRecord"];
export type Notification = Schemas["Notification"];
export type UsageDay = Schemas["UsageDay"];
export type Preview = Schemas["AutoRechargePreview"];
export type Pricing = Schemas["Pricing"];
export type PaymentAuthentication = Schemas["PaymentAuthentication"];
export type CardSetup = Schemas["CardSetup"];
export type PricePlan = Schemas["PricePlan"];
export type Resale = Schemas["Resale"];
export type Rebilling = Schemas["Rebilling"];
export type Fee = Schemas["Fee"];

/** A page of any list: the rows and the cursor of the next page (null on the last). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
