-- Recurring fees: the worker's index leaves out stopped fees that owe nothing more (their next
-- period starts after the stop), so its read stays the size of the fees still due.
DROP INDEX "recurring_fees_due_idx";--> statement-breakpoint
CREATE INDEX "recurring_fees_due_idx" ON "recurring_fees" USING btree ("next_period_at") WHERE "recurring_fees"."stopped_at" is null or "recurring_fees"."next_period_at" < "recurring_fees"."stopped_at";