-- Issue 32: price plans, agency rebilling and recurring fees (docs/plans.md). Plans an account
-- may be put on (none: the configured default rates); an agency's resale rates; a call's margin
-- for its agency fixed at its start with its rate; ledger entries of two new types
-- (rebilling_margin, fee) and, on rebilled debits, the batch and the margin part that verify
-- adds up; monthly fees charged once per period. The call-start lock function returns the
-- pricing columns too, so a start still reads its wallets in one statement.
CREATE TABLE "price_plans" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"web_widget_rate_micros" bigint NOT NULL,
	"default_rate_micros" bigint NOT NULL,
	"monthly_fee_micros" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "price_plans_rates_check" CHECK ("price_plans"."web_widget_rate_micros" > 0 and "price_plans"."default_rate_micros" > 0),
	CONSTRAINT "price_plans_fee_check" CHECK ("price_plans"."monthly_fee_micros" is null or "price_plans"."monthly_fee_micros" > 0)
);
--> statement-breakpoint
CREATE TABLE "recurring_fees" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"amount_micros" bigint NOT NULL,
	"interval" text NOT NULL,
	"margin_account_id" text,
	"margin_micros" bigint,
	"price_plan_id" text,
	"anchor_at" timestamp with time zone NOT NULL,
	"periods_charged" integer DEFAULT 0 NOT NULL,
	"next_period_at" timestamp with time zone NOT NULL,
	"stopped_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recurring_fees_amount_check" CHECK ("recurring_fees"."amount_micros" > 0),
	CONSTRAINT "recurring_fees_interval_check" CHECK ("recurring_fees"."interval" in ('month')),
	CONSTRAINT "recurring_fees_margin_check" CHECK (("recurring_fees"."margin_account_id" is null) = ("recurring_fees"."margin_micros" is null) and ("recurring_fees"."margin_micros" is null or "recurring_fees"."margin_micros" between 0 and "recurring_fees"."amount_micros")),
	CONSTRAINT "recurring_fees_periods_check" CHECK ("recurring_fees"."periods_charged" >= 0)
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_type_check";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "price_plan_id" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "resale_web_widget_rate_micros" bigint;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "resale_default_rate_micros" bigint;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "margin_account_id" text;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "margin_rate_per_minute_micros" bigint;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "batch_id" text;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "margin_micros" bigint;--> statement-breakpoint
ALTER TABLE "recurring_fees" ADD CONSTRAINT "recurring_fees_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recurring_fees" ADD CONSTRAINT "recurring_fees_margin_account_id_accounts_id_fk" FOREIGN KEY ("margin_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recurring_fees" ADD CONSTRAINT "recurring_fees_price_plan_id_price_plans_id_fk" FOREIGN KEY ("price_plan_id") REFERENCES "public"."price_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recurring_fees_account_idx" ON "recurring_fees" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "recurring_fees_due_idx" ON "recurring_fees" USING btree ("next_period_at");--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_price_plan_id_price_plans_id_fk" FOREIGN KEY ("price_plan_id") REFERENCES "public"."price_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "calls_margin_account_idx" ON "calls" USING btree ("margin_account_id","started_at") WHERE "calls"."margin_account_id" is not null;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_resale_check" CHECK (("accounts"."resale_web_widget_rate_micros" is null) = ("accounts"."resale_default_rate_micros" is null) and ("accounts"."resale_web_widget_rate_micros" is null or ("accounts"."type" = 'agency' and "accounts"."resale_web_widget_rate_micros" > 0 and "accounts"."resale_default_rate_micros" > 0)));--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_margin_check" CHECK (("calls"."margin_account_id" is null) = ("calls"."margin_rate_per_minute_micros" is null) and ("calls"."margin_rate_per_minute_micros" is null or "calls"."margin_rate_per_minute_micros" between 0 and "calls"."rate_per_minute_micros"));--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_type_check" CHECK ("ledger_entries"."type" in ('usage', 'recharge', 'adjustment', 'refund', 'dispute', 'grant', 'grant_expiry', 'rebilling_margin', 'fee'));--> statement-breakpoint
DROP FUNCTION IF EXISTS "prepaid_lock_call_wallets"(text[]);--> statement-breakpoint
CREATE FUNCTION "prepaid_lock_call_wallets"("account_ids" text[])
RETURNS TABLE ("account_id" text, "status" text, "web_widget" boolean, "max_concurrent_calls" integer,
               "balance_micros" bigint, "held_micros" bigint, "active_calls" integer, "in_flight_micros" bigint,
               "plan_w" bigint, "plan_d" bigint, "agency_id" text, "agency_plan_w" bigint, "agency_plan_d" bigint,
               "resale_w" bigint, "resale_d" bigint)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  -- Account order: the lock order of every money path.
  PERFORM 1 FROM wallets w WHERE w.account_id = ANY(account_ids) ORDER BY w.account_id FOR UPDATE;
  RETURN QUERY
    SELECT w.account_id, a.status, a.web_widget, a.max_concurrent_calls,
           w.balance_micros - (CASE WHEN w.granted_micros > 0
                                    THEN coalesce((SELECT sum(g.remaining_micros) FROM credit_grants g
                                                   WHERE g.account_id = w.account_id AND g.expired_at IS NULL AND g.expires_at <= now()), 0)
                                    ELSE 0 END)::bigint,
           w.held_micros, w.active_calls, r.amount_micros,
           p.web_widget_rate_micros, p.default_rate_micros, ag.id, agp.web_widget_rate_micros, agp.default_rate_micros,
           ag.resale_web_widget_rate_micros, ag.resale_default_rate_micros
    FROM wallets w JOIN accounts a ON a.id = w.account_id
    LEFT JOIN recharges r ON r.account_id = w.account_id AND r.status IN ('pending', 'processing')
    LEFT JOIN price_plans p ON p.id = a.price_plan_id
    LEFT JOIN accounts ag ON ag.id = a.parent_id
    LEFT JOIN price_plans agp ON agp.id = ag.price_plan_id
    WHERE w.account_id = ANY(account_ids);
END
$$;
