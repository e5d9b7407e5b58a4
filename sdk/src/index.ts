// @prepaid/sdk: a typed client for the prepaid API (see sdk/README.md).
export { createPrepaidClient, type PrepaidClient, type PrepaidClientOptions } from "./client.js";
export { PrepaidApiError, unwrap } from "./errors.js";
export { paginate, listAll, type Page } from "./paging.js";
export { isMoney, toMicros, fromMicros, fromCents, type Money } from "./money.js";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";
export {
  constructWebhookEvent,
  verifyWebhookSignature,
  WebhookSignatureError,
  SIGNATURE_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  type WebhookEvent,
} from "./webhooks.js";
export type { paths, components, operations } from "./schema.js";
