-- Issue 18, item 4: a numbered receipt per succeeded charge (docs/concepts.md). Numbers run per
-- operator (PREPAID_OPERATOR_NAME) without gaps: each is taken from the operator's counter row
-- in the settlement's own transaction, so a settlement that rolls back gives its number back,
-- and two settlements take numbers one after the other (the row lock).
CREATE TABLE "receipt_counters" (
	"operator" text PRIMARY KEY NOT NULL,
	"last_number" bigint NOT NULL,
	CONSTRAINT "receipt_counters_number_check" CHECK ("last_number" >= 0)
);--> statement-breakpoint
-- What the receipt says, as of its issue: the card and balance then, not as they are later.
CREATE TABLE "receipts" (
	"operator" text NOT NULL,
	"number" bigint NOT NULL,
	"recharge_id" text NOT NULL REFERENCES "recharges"("id"),
	"account_id" text NOT NULL REFERENCES "accounts"("id"),
	"amount_micros" bigint NOT NULL,
	"balance_after_micros" bigint NOT NULL,
	"card_brand" text,
	"card_last4" text,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "receipts_pkey" PRIMARY KEY ("operator", "number"),
	CONSTRAINT "receipts_recharge_id_key" UNIQUE ("recharge_id"),
	CONSTRAINT "receipts_number_check" CHECK ("number" > 0 AND "amount_micros" > 0)
);
