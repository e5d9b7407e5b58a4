-- Issue 17: balance alerts in dollars or minutes, up to 5 levels per account (docs/concepts.md).
CREATE TABLE "balance_alerts" (
	"account_id" text PRIMARY KEY NOT NULL REFERENCES "accounts"("id"),
	"levels" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
