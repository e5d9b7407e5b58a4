import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context.js";

/**
 * Every operation's `operationId`, in one place: what a generated client names its methods
 * (the SDK, openapi-fetch users, Postman). A route without one fails the app's creation, so no
 * operation reaches the document unnamed (Redocly's `operation-operationId`).
 */
const OPERATION_IDS: Record<string, string> = {
  "GET /healthz": "getHealth",
  "GET /readyz": "getReadiness",
  "GET /metrics": "getMetrics",
  "GET /openapi.json": "getOpenApiDocument",
  "GET /docs": "getApiReference",
  "GET /v1/me": "getMe",
  "GET /v1/pricing": "getPricing",
  "POST /v1/accounts": "createAccount",
  "GET /v1/accounts": "listAccounts",
  "GET /v1/accounts/{id}": "getAccount",
  "PATCH /v1/accounts/{id}": "updateAccount",
  "GET /v1/accounts/{id}/subaccounts": "listSubaccounts",
  "POST /v1/accounts/{id}/adjustments": "createAdjustment",
  "GET /v1/accounts/{id}/transactions": "listTransactions",
  "GET /v1/accounts/{id}/calls": "listCalls",
  "POST /v1/accounts/{id}/api-keys": "createApiKey",
  "GET /v1/accounts/{id}/api-keys": "listApiKeys",
  "DELETE /v1/accounts/{id}/api-keys/{key_id}": "revokeApiKey",
  "POST /v1/accounts/{id}/api-keys/{key_id}/rotate": "rotateApiKey",
  "POST /v1/accounts/{id}/payment-methods": "createPaymentMethod",
  "GET /v1/accounts/{id}/payment-methods": "listPaymentMethods",
  "DELETE /v1/accounts/{id}/payment-methods/{pm}": "deletePaymentMethod",
  "PATCH /v1/accounts/{id}/payment-methods/{pm}": "makeDefaultPaymentMethod",
  "POST /v1/accounts/{id}/payment-methods/setup": "createCardSetup",
  "POST /v1/accounts/{id}/payment-methods/preview": "previewCardSave",
  "GET /v1/accounts/{id}/auto-recharge": "getAutoRecharge",
  "PUT /v1/accounts/{id}/auto-recharge": "saveAutoRecharge",
  "POST /v1/accounts/{id}/auto-recharge/preview": "previewAutoRecharge",
  "POST /v1/accounts/{id}/recharges": "createTopUp",
  "GET /v1/accounts/{id}/recharges": "listRecharges",
  "POST /v1/accounts/{id}/recharges/{recharge}/authentication": "getPaymentAuthentication",
  "POST /v1/accounts/{id}/recharges/{recharge}/lookup": "lookUpRecharge",
  "POST /v1/accounts/{id}/recharges/{recharge}/refunds": "createRefund",
  "GET /v1/accounts/{id}/refunds": "listRefunds",
  "GET /v1/accounts/{id}/recharges/{recharge}/receipt.pdf": "getReceipt",
  "POST /v1/accounts/{id}/grants": "createGrant",
  "GET /v1/accounts/{id}/grants": "listGrants",
  "POST /v1/price-plans": "createPricePlan",
  "GET /v1/price-plans": "listPricePlans",
  "GET /v1/accounts/{id}/resale": "getResale",
  "PUT /v1/accounts/{id}/resale": "setResale",
  "DELETE /v1/accounts/{id}/resale": "stopResale",
  "GET /v1/accounts/{id}/rebilling": "getRebilling",
  "POST /v1/accounts/{id}/fees": "createFee",
  "GET /v1/accounts/{id}/fees": "listFees",
  "DELETE /v1/accounts/{id}/fees/{fee_id}": "stopFee",
  "GET /v1/accounts/{id}/usage": "getUsageSummary",
  "GET /v1/accounts/{id}/notifications": "listNotifications",
  "POST /v1/accounts/{id}/notifications/read": "markNotificationsRead",
  "POST /v1/accounts/{id}/webhook-endpoints": "createWebhookEndpoint",
  "GET /v1/accounts/{id}/webhook-endpoints": "listWebhookEndpoints",
  "DELETE /v1/accounts/{id}/webhook-endpoints/{endpoint}": "deleteWebhookEndpoint",
  "GET /v1/accounts/{id}/deliveries": "listDeliveries",
  "POST /v1/accounts/{id}/deliveries/{delivery}/resend": "resendDelivery",
  "POST /v1/accounts/{id}/sessions": "createSession",
  "POST /v1/sessions/exchange": "exchangeSessionCode",
  "POST /v1/operator/sessions": "createOperatorSession",
  "GET /v1/sessions/current": "getCurrentSession",
  "DELETE /v1/sessions/current": "endCurrentSession",
  "GET /v1/accounts/{id}/branding": "getBranding",
  "GET /v1/accounts/{id}/alerts": "getBalanceAlerts",
  "POST /v1/accounts/{id}/preflight": "preflightCampaign",
  "PUT /v1/accounts/{id}/alerts": "saveBalanceAlerts",
  "PUT /v1/accounts/{id}/branding": "saveBranding",
  "GET /v1/accounts/{id}/audit-log": "listAuditLog",
  "GET /v1/accounts/{id}/consents": "listConsents",
  "GET /v1/audit-log": "listAllAuditLog",
  "POST /v1/calls": "startCall",
  "POST /v1/calls/{id}/usage": "reportCallUsage",
  "POST /v1/calls/{id}/end": "endCall",
  "POST /v1/usage": "reportUsage",
  "POST /v1/webhooks/stripe": "receiveStripeEvent",
  "POST /v1/connectors/{provider}/events": "receiveConnectorEvent",
};

/** Names every registered operation; throws (a bug) for one missing from the table. */
export function nameOperations(app: OpenAPIHono<AppEnv>): void {
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== "route") continue;
    const key = `${definition.route.method.toUpperCase()} ${definition.route.path}`;
    const id = OPERATION_IDS[key];
    if (!id) throw new Error(`assertion: no operationId for ${key} (src/http/operation-ids.ts)`);
    definition.route.operationId ??= id;
  }
}
