-- Issue 15: a dashboard a billing user can read.
-- The provider's identity of a card number: the same card saved again replaces the saved copy
-- (found among an account's at most 20 saved cards by payment_methods_account_idx).
ALTER TABLE "payment_methods" ADD COLUMN "fingerprint" text;
--> statement-breakpoint
-- One row per call, newest first: the call list pages by (started_at, id) within an account.
CREATE INDEX "calls_account_started_idx" ON "calls" ("account_id", "started_at" desc, "id" desc);
--> statement-breakpoint
DROP INDEX "calls_account_idx";
