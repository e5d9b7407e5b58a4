import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/**
 * The process's Prometheus metrics (prom-client). Events are counted where they happen, once
 * their transaction commits; state (what is in flight, pending or paused right now) is read
 * from the database at scrape time by /metrics, so every process of a deployment reports the
 * same truth whichever one is scraped.
 */
export const registry = new Registry();

/** Latency buckets from 2.5 ms to 10 s: a usage batch commits in ms, a slow provider takes seconds. */
const LATENCY_BUCKETS_SECONDS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequests = new Counter({
  name: "prepaid_http_requests_total",
  help: "HTTP requests answered, by route and status.",
  labelNames: ["method", "route", "status"] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: "prepaid_http_request_duration_seconds",
  help: "Time to answer an HTTP request, by route and status.",
  labelNames: ["method", "route", "status"] as const,
  buckets: LATENCY_BUCKETS_SECONDS,
  registers: [registry],
});

export const recharges = new Counter({
  name: "prepaid_recharges_total",
  help: "Recharges created, succeeded, failed or left unresolved after every try, by trigger (this process).",
  labelNames: ["trigger", "outcome"] as const,
  registers: [registry],
});

export const accountStatusChanges = new Counter({
  name: "prepaid_account_status_changes_total",
  help: "Accounts paused or resumed (this process).",
  labelNames: ["to"] as const,
  registers: [registry],
});

export const deliveries = new Counter({
  name: "prepaid_deliveries_total",
  help: "Notification delivery tries, by channel and outcome: delivered, retry (failed, will try again), failed (for good).",
  labelNames: ["channel", "outcome"] as const,
  registers: [registry],
});

export const providerEventsFlagged = new Counter({
  name: "prepaid_provider_events_flagged_total",
  help: "Provider events (or parts of them) not applied because they disagree with what we know: a refund beyond the charge, a payment that does not match its recharge (amount, customer, PaymentIntent).",
  labelNames: ["reason"] as const,
  registers: [registry],
});

export const connectorEventsTotal = new Counter({
  name: "prepaid_connector_events_total",
  help: "Voice providers' call events (POST /v1/connectors/{provider}/events), by provider and outcome: authorized, refused, answered, billed, duplicate, ignored, unverified, malformed, unknown_account.",
  labelNames: ["provider", "outcome"] as const,
  registers: [registry],
});

export const usageBatchSize = new Histogram({
  name: "prepaid_usage_batch_reports",
  help: "Usage reports committed together in one transaction (group commit).",
  buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
  registers: [registry],
});

export const usageCommitDuration = new Histogram({
  name: "prepaid_usage_commit_duration_seconds",
  help: "Time to commit one usage batch.",
  buckets: LATENCY_BUCKETS_SECONDS,
  registers: [registry],
});

// The process's own: resident memory, CPU, event-loop lag, heap (prom-client's defaults).
collectDefaultMetrics({ register: registry, prefix: "prepaid_" });
