-- Issue 15: the operator console signs in with an operator session instead of keeping the
-- operator key in a browser tab. An operator session belongs to no account and has no code.
ALTER TABLE "sessions" ALTER COLUMN "account_id" DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "code_hmac" DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "code_expires_at" DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_role_check";
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_role_check" CHECK ("role" in ('owner', 'viewer', 'operator'));
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_operator_check" CHECK (("role" = 'operator') = ("account_id" is null));
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_code_check" CHECK ("role" = 'operator' or ("code_hmac" is not null and "code_expires_at" is not null));
