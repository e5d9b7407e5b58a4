-- Issue 27: money and security defects found by adversarial probes.
--
-- Item 1: a dispute won gives back what it took less the refunds that settled while it held
-- the money (they paid the card holder without taking it off the balance). What a win gave
-- back is kept, so what the dispute still keeps is known to every later reversal and to verify.
ALTER TABLE "disputes" ADD COLUMN "returned_micros" bigint;--> statement-breakpoint
-- Disputes won before this migration gave back all they took.
UPDATE "disputes" SET "returned_micros" = "reversed_micros" WHERE "status" = 'won';--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_returned_check" CHECK (("status" = 'won') = ("returned_micros" is not null) and ("returned_micros" is null or ("returned_micros" >= 0 and "returned_micros" <= "reversed_micros")));--> statement-breakpoint
-- Item 2: the cards under an open dispute are read with every Auto-Recharge decision and view.
CREATE INDEX "disputes_open_account_idx" ON "disputes" ("account_id") WHERE "status" = 'open';--> statement-breakpoint
-- Item 6: a try in flight holds a lease until it is recorded; an endpoint's tries in flight,
-- across processes, are its deliveries with a lease not yet expired.
ALTER TABLE "deliveries" ADD COLUMN "lease_expires_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "deliveries_in_flight_idx" ON "deliveries" ("endpoint_id") WHERE "status" = 'pending' and "lease_expires_at" is not null;--> statement-breakpoint
-- Item 3: a call start reads the wallet less its granted credit past expires_at that the
-- expiry worker has not taken off yet (src/billing/lapsed-grants.ts says the same in the app).
CREATE OR REPLACE FUNCTION "prepaid_lock_call_wallets"("account_ids" text[])
RETURNS TABLE ("account_id" text, "status" text, "web_widget" boolean, "max_concurrent_calls" integer,
               "balance_micros" bigint, "held_micros" bigint, "active_calls" integer, "in_flight_micros" bigint)
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
           w.held_micros, w.active_calls, r.amount_micros
    FROM wallets w JOIN accounts a ON a.id = w.account_id
    LEFT JOIN recharges r ON r.account_id = w.account_id AND r.status IN ('pending', 'processing')
    WHERE w.account_id = ANY(account_ids);
END
$$;
