"""audit log: hash chain, client address column (aged out), runtime role that cannot alter it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:00:00

- Every audit row stores `prev_hash` (the previous row's `row_hash`, zeros for the first) and `row_hash`
  = SHA-256 of the previous hash and the row's content; `chain_seq` orders the chain. A BEFORE INSERT
  trigger fills them under a transaction-level advisory lock, so concurrent inserts chain one after another.
  `audit_logs_row_hash(...)` is the one definition of a row's hash, used by the trigger and by verification.
- The client address moves from `details` to its own column `client_address`, outside the hash, so the
  retention purge can null it: the append-only trigger now lets an UPDATE through only when it changes
  nothing but `client_address`, to NULL.
- The role `mnp_runtime` (NOLOGIN) is what the app's runtime login role is granted (see database/roles.sql):
  data access on every table, but on `audit_logs` only SELECT, INSERT and UPDATE of `client_address`. Not
  owning the table, it cannot ALTER it or DISABLE its triggers. Created here when the migrating role may
  create roles; otherwise database/roles.sql creates it (run by an administrator) and this grants to it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
CHAIN_LOCK_KEY = 0x6D6E_7041_7564_6974  # "mnpAudit"

ROW_HASH_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_logs_row_hash(
    prev text, id bigint, actor_id uuid, action text, target_type text, target_id text, details jsonb,
    created_at timestamptz
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(jsonb_build_array(
        prev, id, actor_id, action, target_type, target_id, details,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    )::text, 'UTF8')), 'hex')
$$;
"""

CHAIN_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_logs_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK_KEY});
    SELECT chain_seq, row_hash INTO last_seq, last_hash
    FROM audit_logs WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
    NEW.created_at := coalesce(NEW.created_at, now());
    NEW.details := coalesce(NEW.details, '{{}}'::jsonb);
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '{GENESIS}');
    NEW.row_hash := audit_logs_row_hash(
        NEW.prev_hash, NEW.id, NEW.actor_id, NEW.action, NEW.target_type, NEW.target_id, NEW.details,
        NEW.created_at
    );
    RETURN NEW;
END
$$;
"""

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_logs_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.client_address IS NULL
       AND to_jsonb(NEW) - 'client_address' = to_jsonb(OLD) - 'client_address' THEN
        RETURN NEW;  -- the retention purge ageing out a client address
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

OLD_APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_logs_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

# Existing rows, in id order: the client address out of details, then the chain.
BACKFILL = f"""
DO $$
DECLARE
    entry record;
    previous text := '{GENESIS}';
    seq bigint := 0;
BEGIN
    FOR entry IN SELECT * FROM audit_logs ORDER BY id LOOP
        seq := seq + 1;
        UPDATE audit_logs SET
            client_address = left(entry.details ->> 'client', 64),
            details = entry.details - 'client',
            chain_seq = seq,
            prev_hash = previous,
            row_hash = audit_logs_row_hash(
                previous, entry.id, entry.actor_id, entry.action, entry.target_type, entry.target_id,
                entry.details - 'client', entry.created_at
            )
        WHERE id = entry.id
        RETURNING row_hash INTO previous;
    END LOOP;
END
$$;
"""

RUNTIME_ROLE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mnp_runtime')
       AND (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
        CREATE ROLE mnp_runtime NOLOGIN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mnp_runtime') THEN
        EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO mnp_runtime', current_database());
        GRANT USAGE ON SCHEMA public TO mnp_runtime;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mnp_runtime;
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO mnp_runtime;
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO mnp_runtime;
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs FROM mnp_runtime;
        GRANT UPDATE (client_address) ON audit_logs TO mnp_runtime;
        REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM mnp_runtime;
        -- Tables of later migrations (made by this same owner) are the app's too.
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mnp_runtime;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO mnp_runtime;
    END IF;
END
$$;
"""


def upgrade() -> None:
    op.execute("ALTER TABLE audit_logs ADD COLUMN client_address varchar(64)")
    op.execute("ALTER TABLE audit_logs ADD COLUMN chain_seq bigint")
    op.execute("ALTER TABLE audit_logs ADD COLUMN prev_hash char(64)")
    op.execute("ALTER TABLE audit_logs ADD COLUMN row_hash char(64)")
    op.execute(ROW_HASH_FUNCTION)
    op.execute("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete")
    op.execute(BACKFILL)
    op.execute("ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete")
    op.execute("ALTER TABLE audit_logs ALTER COLUMN chain_seq SET NOT NULL")
    op.execute("ALTER TABLE audit_logs ALTER COLUMN prev_hash SET NOT NULL")
    op.execute("ALTER TABLE audit_logs ALTER COLUMN row_hash SET NOT NULL")
    op.execute("CREATE UNIQUE INDEX uq_audit_logs_chain_seq ON audit_logs (chain_seq)")
    op.execute(CHAIN_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs "
        "FOR EACH ROW EXECUTE FUNCTION audit_logs_chain()"
    )
    op.execute(APPEND_ONLY_FUNCTION)
    op.execute(RUNTIME_ROLE)


def downgrade() -> None:
    op.execute(OLD_APPEND_ONLY_FUNCTION)
    op.execute("DROP TRIGGER IF EXISTS audit_logs_chain ON audit_logs")
    op.execute("DROP FUNCTION IF EXISTS audit_logs_chain()")
    op.execute("DROP INDEX IF EXISTS uq_audit_logs_chain_seq")
    op.execute("ALTER TABLE audit_logs DROP COLUMN row_hash, DROP COLUMN prev_hash, DROP COLUMN chain_seq")
    op.execute("ALTER TABLE audit_logs DROP COLUMN client_address")
    op.execute("DROP FUNCTION IF EXISTS audit_logs_row_hash(text, bigint, uuid, text, text, text, jsonb, timestamptz)")
