-- Issue 17: Auto-Recharge that tops up to a target balance ("keep me at $200").
ALTER TABLE "auto_recharge_settings" ADD COLUMN "mode" text DEFAULT 'fixed' NOT NULL;
--> statement-breakpoint
ALTER TABLE "auto_recharge_settings" ADD COLUMN "target_micros" bigint;
--> statement-breakpoint
ALTER TABLE "auto_recharge_settings" ADD CONSTRAINT "auto_recharge_settings_mode_check" CHECK ("mode" in ('fixed', 'target') and ("mode" = 'fixed' or "target_micros" is not null));
