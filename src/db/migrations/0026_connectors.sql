-- Issue 31: calls straight from the voice stack. A provider's call beside its calls row (what the
-- provider said: answer time, its own duration; what prepaid did: wrap-up sent, hang-up asked),
-- and each provider event taken once by its key. Calls gain two endings: by the provider's end
-- event, and refused (a provider call prepaid would not authorise, ended at the provider).
CREATE TABLE "connector_calls" (
	"call_id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"provider_call_id" text NOT NULL,
	"account_id" text NOT NULL,
	"status" text NOT NULL,
	"answered_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"provider_duration_seconds" integer,
	"refused_reason" text,
	"control_url" text,
	"wrap_up_sent_at" timestamp with time zone,
	"hangup_requested_at" timestamp with time zone,
	"hangup_reason" text,
	"last_event_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connector_calls_provider_check" CHECK ("connector_calls"."provider" in ('twilio', 'vapi', 'retell')),
	CONSTRAINT "connector_calls_status_check" CHECK ("connector_calls"."status" in ('started', 'answered', 'ended', 'refused')),
	CONSTRAINT "connector_calls_duration_check" CHECK ("connector_calls"."provider_duration_seconds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "connector_events" (
	"provider" text NOT NULL,
	"event_key" text NOT NULL,
	"call_id" text NOT NULL,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connector_events_provider_event_key_pk" PRIMARY KEY("provider","event_key")
);
--> statement-breakpoint
ALTER TABLE "calls" DROP CONSTRAINT "calls_ended_by_check";--> statement-breakpoint
ALTER TABLE "connector_calls" ADD CONSTRAINT "connector_calls_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connector_calls_provider_call_idx" ON "connector_calls" USING btree ("provider","provider_call_id");--> statement-breakpoint
CREATE INDEX "connector_calls_open_idx" ON "connector_calls" USING btree ("last_event_at") WHERE "connector_calls"."ended_at" is null;--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_ended_by_check" CHECK ("calls"."ended_by" in ('report', 'idle_timeout', 'provider', 'refused'));