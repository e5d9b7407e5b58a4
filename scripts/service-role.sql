-- The grants the prepaid service needs, and no more (docs/production.md, "Database roles").
-- Run as the database's owner (the role that ran `prepaid migrate`), with psql variables:
--   psql "$OWNER_URL" -v app_role=prepaid_app -v owner_role=prepaid_owner -f scripts/service-role.sql
-- The service role reads and writes rows; it owns nothing, so it cannot drop or alter a table,
-- disable a trigger (ALTER TABLE needs the owner) or set session_replication_role (superuser
-- only): the ledger's and the audit log's append-only triggers hold against it. Run it again
-- after each `prepaid migrate` that adds a table or function (the default privileges below
-- cover those the owner creates later, too).

GRANT CONNECT ON DATABASE :"DBNAME" TO :"app_role";
GRANT USAGE ON SCHEMA public TO :"app_role";
-- The service checks at start that no migration is pending: it reads drizzle's journal table.
GRANT USAGE ON SCHEMA drizzle TO :"app_role";
GRANT SELECT ON drizzle.__drizzle_migrations TO :"app_role";

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO :"app_role";
-- Append-only: entries and audit rows are only ever inserted (the triggers refuse the rest too).
REVOKE UPDATE, DELETE ON ledger_entries, audit_log, consents FROM :"app_role";

ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO :"app_role";
