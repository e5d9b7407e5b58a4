-- Issue 18, item 1: refunds of succeeded charges (docs/concepts.md Refunds and disputes).
-- A refund is asked of the provider by the worker under the refund's own id as idempotency
-- key; its `refund` ledger entry is keyed by the provider's refund id, so the operator's
-- refund and the provider's event for the same refund reverse the credit once.
CREATE TABLE "refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL REFERENCES "accounts"("id"),
	"recharge_id" text NOT NULL REFERENCES "recharges"("id"),
	"amount_micros" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"provider_refund_id" text,
	"failure_code" text,
	"failure_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone,
	CONSTRAINT "refunds_status_check" CHECK ("status" in ('pending', 'succeeded', 'failed')),
	CONSTRAINT "refunds_amount_check" CHECK ("amount_micros" > 0),
	CONSTRAINT "refunds_provider_refund_id_key" UNIQUE ("provider_refund_id")
);--> statement-breakpoint
CREATE INDEX "refunds_recharge_idx" ON "refunds" ("recharge_id");--> statement-breakpoint
CREATE INDEX "refunds_account_created_idx" ON "refunds" ("account_id", "created_at" DESC, "id" DESC);--> statement-breakpoint
-- The worker's queue: pending refunds by when they are due.
CREATE INDEX "refunds_pending_idx" ON "refunds" ("next_attempt_at") WHERE "status" = 'pending';--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_type_check";--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_type_check" CHECK ("type" in ('usage', 'recharge', 'adjustment', 'refund'));--> statement-breakpoint
-- The sandbox provider's own refund records, as it keeps its charges.
CREATE TABLE "sandbox_refunds" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"refund_id" text NOT NULL UNIQUE,
	"charge_id" text NOT NULL,
	"amount_micros" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
