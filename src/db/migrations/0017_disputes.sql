-- Issue 18, item 2: disputes (chargebacks) of succeeded charges (docs/concepts.md).
-- A dispute takes its money off the balance once (`dispute:<id>`), a dispute won gives it back
-- once (`dispute_won:<id>`). What refunds and disputes take off one charge never adds up to
-- more than the charge: each records what it actually reversed.
CREATE TABLE "disputes" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL REFERENCES "accounts"("id"),
	"recharge_id" text NOT NULL REFERENCES "recharges"("id"),
	"provider_dispute_id" text NOT NULL,
	"amount_micros" bigint NOT NULL,
	"reversed_micros" bigint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "disputes_provider_dispute_id_key" UNIQUE ("provider_dispute_id"),
	CONSTRAINT "disputes_status_check" CHECK ("status" in ('open', 'won', 'lost')),
	CONSTRAINT "disputes_amount_check" CHECK ("amount_micros" > 0 AND "reversed_micros" >= 0 AND "reversed_micros" <= "amount_micros")
);--> statement-breakpoint
CREATE INDEX "disputes_recharge_idx" ON "disputes" ("recharge_id");--> statement-breakpoint
-- What a refund took off the balance: its amount, or less when a dispute had taken that money already.
ALTER TABLE "refunds" ADD COLUMN "reversed_micros" bigint;--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_type_check";--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_type_check" CHECK ("type" in ('usage', 'recharge', 'adjustment', 'refund', 'dispute'));
