ALTER TABLE "auto_recharge_settings" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "recharges" ADD COLUMN "started_at" timestamp with time zone;