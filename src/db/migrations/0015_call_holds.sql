-- Issue 17: holds, concurrency and the idle timeout (docs/concepts.md).
-- Each running call holds credit at its rate beyond what it billed; the wallet keeps the sums
-- over its running calls, so authorising a call reads one row instead of scanning its calls.
ALTER TABLE "calls" ADD COLUMN "hold_micros" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "last_report_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "ended_by" text;--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_ended_by_check" CHECK ("ended_by" in ('report', 'idle_timeout'));--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_hold_check" CHECK ("hold_micros" >= 0);--> statement-breakpoint
-- The idle sweep's range: only running calls, oldest report first.
CREATE INDEX "calls_active_last_report_idx" ON "calls" ("last_report_at") WHERE "status" = 'active';--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "held_micros" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "active_calls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "active_rate_micros" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_running_calls_check" CHECK ("held_micros" >= 0 AND "active_calls" >= 0 AND "active_rate_micros" >= 0);--> statement-breakpoint
-- Calls running when this migration runs hold nothing (they were authorised without holds)
-- but take their slots and count in the rate at which the wallet drains.
UPDATE "wallets" w SET "active_calls" = x.n, "active_rate_micros" = x.rate
  FROM (SELECT "account_id", count(*)::int AS n, sum("rate_per_minute_micros")::bigint AS rate FROM "calls" WHERE "status" = 'active' GROUP BY "account_id") x
  WHERE w."account_id" = x."account_id";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "max_concurrent_calls" integer;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_max_concurrent_calls_check" CHECK ("max_concurrent_calls" IS NULL OR "max_concurrent_calls" >= 0);
