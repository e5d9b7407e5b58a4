-- API keys: a name, a scope, an expiry, when last used; hashed with HMAC under the server
-- secret (hmac_hex). Keys made before keep their SHA-256 until their first use upgrades them.
ALTER TABLE "api_keys" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "scope" text DEFAULT 'full' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "hmac_hex" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "last_used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ALTER COLUMN "sha256_hex" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_scope_check" CHECK ("api_keys"."scope" in ('full', 'read', 'usage'));--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_hash_check" CHECK ("api_keys"."hmac_hex" is not null or "api_keys"."sha256_hex" is not null);--> statement-breakpoint
CREATE INDEX "api_keys_account_idx" ON "api_keys" USING btree ("account_id","created_at" DESC NULLS LAST);--> statement-breakpoint
-- Idempotency: a keyed fingerprint, and the answer's exact bytes (or those bytes sealed).
-- Fingerprints stored before were unsalted SHA-256 of the body (a saved card's number and CVC
-- among them): they are dropped, so a key used before this migration is free again.
DELETE FROM "idempotency_keys";--> statement-breakpoint
ALTER TABLE "idempotency_keys" RENAME COLUMN "request_sha256_hex" TO "request_fingerprint";--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "response_body" SET DATA TYPE text USING "response_body"::text;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "sealed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE TABLE "rate_limit_counters" (
	"bucket" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "rate_limit_counters_bucket_window_start_pk" PRIMARY KEY("bucket","window_start")
);
