-- Issue 14: Payments-page sessions, white-label branding and the audit log (docs/concepts.md).
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL REFERENCES "accounts"("id"),
	"role" text NOT NULL,
	"code_hmac" text NOT NULL,
	"code_expires_at" timestamp with time zone NOT NULL,
	"code_used_at" timestamp with time zone,
	"token_hmac" text,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"return_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_role_check" CHECK ("role" in ('owner', 'viewer'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_code_idx" ON "sessions" ("code_hmac");
--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_idx" ON "sessions" ("token_hmac");
--> statement-breakpoint
CREATE INDEX "sessions_account_idx" ON "sessions" ("account_id");
--> statement-breakpoint
CREATE TABLE "account_branding" (
	"account_id" text PRIMARY KEY NOT NULL REFERENCES "accounts"("id"),
	"display_name" text,
	"logo_url" text,
	"accent_color" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL REFERENCES "accounts"("id"),
	"action" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"request_id" text NOT NULL,
	"changes" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_log_actor_check" CHECK ("actor_type" in ('api_key', 'session', 'operator'))
);
--> statement-breakpoint
CREATE INDEX "audit_log_account_idx" ON "audit_log" ("account_id", "created_at" DESC, "id" DESC);
--> statement-breakpoint
-- Append-only like the ledger: what happened is never edited away.
CREATE FUNCTION audit_log_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();
