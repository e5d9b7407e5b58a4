-- Issue 30: real cards. Consent to automatic charges, recorded with each change that needs it
-- and never edited (append-only, as the ledger and the audit log); a backup card charged once
-- when the primary is declined hard; and payments the customer confirms on the page (a top-up
-- with Stripe, where the bank may challenge), which the worker never charges off-session.
CREATE TABLE "consents" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"text" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"terms" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consents_actor_check" CHECK ("consents"."actor_type" in ('api_key', 'session', 'operator'))
);
--> statement-breakpoint
ALTER TABLE "auto_recharge_settings" ADD COLUMN "backup_payment_method_id" text;--> statement-breakpoint
ALTER TABLE "recharges" ADD COLUMN "backup_for" text;--> statement-breakpoint
ALTER TABLE "recharges" ADD COLUMN "confirm_by" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consents_account_idx" ON "consents" USING btree ("account_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "auto_recharge_settings" ADD CONSTRAINT "auto_recharge_settings_backup_payment_method_id_payment_methods_id_fk" FOREIGN KEY ("backup_payment_method_id") REFERENCES "public"."payment_methods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE FUNCTION consents_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consents is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER consents_append_only
  BEFORE UPDATE OR DELETE ON consents
  FOR EACH ROW EXECUTE FUNCTION consents_reject_change();
--> statement-breakpoint
CREATE TRIGGER consents_no_truncate
  BEFORE TRUNCATE ON consents
  FOR EACH STATEMENT EXECUTE FUNCTION consents_reject_change();
