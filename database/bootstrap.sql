-- MNP Chatbot: the role, database, privileges and extensions the app needs (PostgreSQL >= 14).
-- Run once as a superuser, before `mnp-chatbot migrate` (or `psql -f database/schema.sql`):
--
--   sudo -u postgres psql -v app_password='…' -f database/bootstrap.sql
--   psql -h db-host -U postgres -v app_user=mnp_app -v app_db=mnp_chatbot -v app_password='…' \
--        -f database/bootstrap.sql
--
-- Variables (psql -v): app_user (default mnp_app), app_db (default mnp_chatbot), app_password (asked for
-- when not given). Re-running it is safe: an existing role gets the new password, an existing database
-- keeps its data and gets the privileges again.
--
-- What it grants: the app role owns the database and may create in its `public` schema (PostgreSQL 15 and
-- newer no longer let every role create there); no other role may connect. The extensions are created
-- here, as a superuser, because `vector` cannot be created by the app role: `uuid-ossp` where the server
-- has it, `vector` (pgvector) where the server has it — without pgvector the app runs with lexical
-- retrieval only and GET /health reports checks.database.vector = false.

\set ON_ERROR_STOP on
\set QUIET on

\if :{?app_user}
\else
  \set app_user mnp_app
\endif
\if :{?app_db}
\else
  \set app_db mnp_chatbot
\endif
\if :{?app_password}
\else
  \prompt 'Password for the app role: ' app_password
\endif

SELECT :'app_password' = '' AS empty_password \gset
\if :empty_password
  DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: app_password is empty; give one with -v app_password=...'; END $$;
\endif

-- The login role (not a superuser, cannot create roles or databases).
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'app_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'app_user', :'app_password') \gexec

-- The database, owned by the app role, in UTF-8 whatever the cluster's default.
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'app_db', :'app_user', 'UTF8')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'app_db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'app_db', :'app_user') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'app_db') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'app_db', :'app_user') \gexec

\connect :"app_db"
\set ON_ERROR_STOP on

-- The public schema: PostgreSQL 15+ gives CREATE there to the database owner only (pg_database_owner);
-- on 14 every role had it. Both end the same: the app role owns the schema, nobody else may create in it.
ALTER SCHEMA public OWNER TO :"app_user";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"app_user";

-- Extensions (created by the superuser running this file).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'uuid-ossp') THEN
        CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
    END IF;
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
        CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
    ELSE
        RAISE WARNING 'pgvector (extension "vector") is not installed on this server: dense retrieval stays off';
    END IF;
END
$$;

SELECT format('bootstrap.sql: role %s, database %s, extensions: %s', :'app_user', :'app_db',
              coalesce(string_agg(extname, ', ' ORDER BY extname), 'none'))
FROM pg_extension WHERE extname IN ('uuid-ossp', 'vector') \gset report_
\echo :report_format
