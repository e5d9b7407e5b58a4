-- Issue 28, item 3: the operator console's Activity reads the audit log of every account,
-- newest first (GET /v1/audit-log), paged on (created_at, id).
CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);