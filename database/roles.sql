-- MNP Chatbot: database roles for production. Run once as an administrator (a superuser, or the database
-- owner with CREATEROLE), before or after `mnp-chatbot migrate`; running it again changes nothing but the
-- password. Works on PostgreSQL >= 14 (tested on 15 and on the embedded 18).
--
--   psql -d mnp_chatbot -v app_user=mnp_chatbot_app -v app_password='…' -f database/roles.sql
--
-- Without -v app_password the password is read from the environment variable APP_DB_PASSWORD (psql >= 15),
-- which keeps it off the command line (docker-compose.production.yml's db-roles service does this).
--
-- The role split:
--   * the owner of the database and its tables (the role `mnp-chatbot migrate` connects as, set by
--     DATABASE_MIGRATION_URL) runs the migrations; only it may ALTER tables or DISABLE their triggers;
--   * `mnp_runtime` (NOLOGIN) holds the app's data rights: SELECT/INSERT/UPDATE/DELETE on the tables, but on
--     audit_logs only SELECT, INSERT and UPDATE of client_address (the append-only trigger allows only
--     setting it to NULL, which the retention purge does);
--   * `app_user` (LOGIN, member of mnp_runtime) is what the running app connects as (DATABASE_URL). It owns
--     nothing, so it cannot alter the audit log or switch off its triggers.
\set ON_ERROR_STOP on

-- The runtime roles must own nothing: a login role that owned the database or a table (for instance the
-- owner made by database/bootstrap.sql, given here as app_user by mistake) could switch the audit log's
-- triggers off, and so could every member of a mnp_runtime that did.
SELECT EXISTS (
    SELECT 1 FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
    WHERE d.datname = current_database() AND r.rolname IN (:'app_user', 'mnp_runtime')
    UNION ALL
    SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles r ON r.oid = c.relowner
    WHERE n.nspname = 'public' AND r.rolname IN (:'app_user', 'mnp_runtime')
) AS runtime_owns_something \gset
\if :runtime_owns_something
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: app_user or mnp_runtime owns this database or its tables; give a new login role as app_user (the owner stays the migrating role)'; END $$;
\endif

SELECT 'CREATE ROLE mnp_runtime NOLOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mnp_runtime') \gexec

SELECT format('CREATE ROLE %I LOGIN', :'app_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \gexec

SELECT format(
    'ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'app_user'
) \gexec

\if :{?app_password}
\else
\getenv app_password APP_DB_PASSWORD
\endif
\if :{?app_password}
SELECT format('ALTER ROLE %I WITH PASSWORD %L', :'app_user', :'app_password') \gexec
\endif

SELECT format('GRANT mnp_runtime TO %I', :'app_user') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO mnp_runtime', current_database()) \gexec
GRANT USAGE ON SCHEMA public TO mnp_runtime;

-- The same grants as migration 0006, for a database migrated before mnp_runtime existed.
SELECT EXISTS (
    SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_logs'
) AS has_audit_log \gset
\if :has_audit_log
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mnp_runtime;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO mnp_runtime;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO mnp_runtime;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs FROM mnp_runtime;
GRANT UPDATE (client_address) ON audit_logs TO mnp_runtime;
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM mnp_runtime;
\endif
