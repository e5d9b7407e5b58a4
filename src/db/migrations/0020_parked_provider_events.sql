-- Issue 18: provider events that arrive before what they are about. A dispute or refund of a
-- charge we have not settled yet (its webhook came first, or our worker is still settling it),
-- or a dispute's close before its open, is kept here and applied in the transaction that
-- settles the charge (or opens the dispute), instead of being dropped as "not ours".
CREATE TABLE "parked_provider_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	-- `charge:<provider charge id>` or `dispute:<provider dispute id>`
	"waits_for" text NOT NULL,
	"event" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX "parked_provider_events_waits_for_idx" ON "parked_provider_events" ("waits_for", "created_at");--> statement-breakpoint
-- The sandbox provider's disputes (test card 4000 0000 0000 0259: charges succeed, then are
-- disputed), delivered to billing by polling: the sandbox has no webhooks.
CREATE TABLE "sandbox_disputes" (
	"dispute_id" text PRIMARY KEY NOT NULL,
	"charge_id" text NOT NULL,
	"amount_micros" bigint NOT NULL,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX "sandbox_disputes_undelivered_idx" ON "sandbox_disputes" ("created_at") WHERE "delivered_at" IS NULL;
