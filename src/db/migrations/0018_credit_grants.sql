-- Issue 18, item 3: credit grants (docs/concepts.md). An operator gives promotional or compensation
-- credit, optionally expiring. Usage spends granted credit first, soonest-expiring first, and
-- each spend is recorded against the usage entry that made it; at `expires_at` what is left
-- leaves as one `grant_expiry` entry. `wallets.granted_micros` is Σ remaining of the grants
-- not yet expired: the usage writer reads it with the wallet lock, and a wallet at 0 (nearly
-- all of them) spends as before, with no further statement.
CREATE TABLE "credit_grants" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL REFERENCES "accounts"("id"),
	"category" text NOT NULL,
	"amount_micros" bigint NOT NULL,
	"remaining_micros" bigint NOT NULL,
	"reason" text NOT NULL,
	"expires_at" timestamp with time zone,
	-- Set once, by the expiry: what left the wallet then, and when.
	"expired_micros" bigint,
	"expired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_grants_category_check" CHECK ("category" in ('promotional', 'compensation')),
	CONSTRAINT "credit_grants_amount_check" CHECK ("amount_micros" > 0 AND "remaining_micros" >= 0 AND "remaining_micros" <= "amount_micros"),
	CONSTRAINT "credit_grants_expired_check" CHECK (("expired_at" IS NULL) = ("expired_micros" IS NULL) AND ("expired_at" IS NULL OR "remaining_micros" = 0))
);--> statement-breakpoint
CREATE INDEX "credit_grants_account_idx" ON "credit_grants" ("account_id", "created_at");--> statement-breakpoint
-- The expiry worker's queue: grants with an expiry not yet applied.
CREATE INDEX "credit_grants_due_idx" ON "credit_grants" ("expires_at") WHERE "expired_at" IS NULL AND "expires_at" IS NOT NULL;--> statement-breakpoint
-- What each usage entry took from which grant. No foreign key to the entry, like
-- ledger_entries itself (migration 0006): the usage writer inserts both in one batch.
CREATE TABLE "grant_spends" (
	"entry_id" text NOT NULL,
	"grant_id" text NOT NULL REFERENCES "credit_grants"("id"),
	"amount_micros" bigint NOT NULL,
	CONSTRAINT "grant_spends_pkey" PRIMARY KEY ("entry_id", "grant_id"),
	CONSTRAINT "grant_spends_amount_check" CHECK ("amount_micros" > 0)
);--> statement-breakpoint
CREATE INDEX "grant_spends_grant_idx" ON "grant_spends" ("grant_id");--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "granted_micros" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_granted_check" CHECK ("granted_micros" >= 0);--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_type_check";--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_type_check" CHECK ("type" in ('usage', 'recharge', 'adjustment', 'refund', 'dispute', 'grant', 'grant_expiry'));
