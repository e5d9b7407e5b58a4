-- Issue 19, item 5: a call start locks its wallets and then reads them, in one round trip.
-- The read must see what committed while the start waited for the locks (a settlement that
-- credited the wallet and closed its recharge, a pause), so it cannot share the locking
-- statement's snapshot; inside a volatile PL/pgSQL function each statement takes a fresh one
-- (READ COMMITTED), so the lock and the read are two statements but one round trip.
CREATE FUNCTION "prepaid_lock_call_wallets"("account_ids" text[])
RETURNS TABLE ("account_id" text, "status" text, "web_widget" boolean, "max_concurrent_calls" integer,
               "balance_micros" bigint, "held_micros" bigint, "active_calls" integer, "in_flight_micros" bigint)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  -- Account order: the lock order of every money path.
  PERFORM 1 FROM wallets w WHERE w.account_id = ANY(account_ids) ORDER BY w.account_id FOR UPDATE;
  RETURN QUERY
    SELECT w.account_id, a.status, a.web_widget, a.max_concurrent_calls, w.balance_micros, w.held_micros, w.active_calls, r.amount_micros
    FROM wallets w JOIN accounts a ON a.id = w.account_id
    LEFT JOIN recharges r ON r.account_id = w.account_id AND r.status IN ('pending', 'processing')
    WHERE w.account_id = ANY(account_ids);
END
$$;
