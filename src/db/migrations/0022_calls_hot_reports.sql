-- Issue 19: a usage report's update of its call is a HOT update again. Migration 0015 indexed
-- last_report_at (the idle sweep's order), which every report writes: each report then wrote
-- a new version of the call into every index of calls, not just into its page (migration
-- 0006 gave calls the free space for HOT updates). The sweep now finds running calls by an
-- index on a column no report changes, and reads their last report from the rows: there are
-- as many as calls running at once, not as many as reports. The new index blocks writes to
-- calls while it builds (it reads the whole table): on a large one, migrate in a quiet window.
DROP INDEX "calls_active_last_report_idx";--> statement-breakpoint
CREATE INDEX "calls_active_idx" ON "calls" ("id") WHERE "status" = 'active';
