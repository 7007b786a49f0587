#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into an empty database.
#
#   scripts/restore.sh DUMP_FILE
#
# The target is DATABASE_URL from the environment, else from the env file ENV_FILE (default .env). It must
# exist and be empty (e.g. fresh from database/bootstrap.sql): a database that holds tables is refused.
# Run it as the app role: objects are owned by the connecting role (the dump's owners and grants are not
# replayed). PG_BIN selects the directory of pg_restore/psql (default: PATH); pg_restore must be at least as
# new as the server. Stop the app first; start it again afterwards (`mnp-chatbot migrate` brings an older
# dump's schema up to the running release).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/pg-common.sh
source "$here/pg-common.sh"

case "${1:-}" in
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    "") die "no dump file given (usage: scripts/restore.sh DUMP_FILE)" ;;
esac
dump="$1"
[ -f "$dump" ] || die "$dump does not exist"
[ -r "$dump" ] || die "$dump is not readable"

url="$(database_url)"
connect "$url"
check_server "pg_restore"
psql_bin="$(tool psql)"
restore_bin="$(tool pg_restore)"

contents="$(mktemp)"
trap 'rm -f "$contents"' EXIT
"$restore_bin" --list "$dump" >"$contents" 2>/dev/null \
    || die "$dump is not a pg_dump custom-format archive (make dumps with scripts/backup.sh)"

tables="$("$psql_bin" -X -A -t --no-password -c \
    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
if [ "$tables" -gt 0 ]; then
    die "database $PGDATABASE is not empty ($tables tables): restore into a new, empty database \
(database/bootstrap.sql creates one) and point DATABASE_URL at it"
fi

# Comments on extensions can only be set by the extension's owner (the superuser that created them): skip them.
grep -v -E '^[0-9]+; [0-9]+ [0-9]+ COMMENT - EXTENSION ' "$contents" >"$contents.list"
trap 'rm -f "$contents" "$contents.list"' EXIT

"$restore_bin" --no-password --dbname="$PGDATABASE" --no-owner --no-privileges --exit-on-error \
    --single-transaction --use-list="$contents.list" "$dump" \
    || die "pg_restore failed (see the message above); nothing was restored (single transaction)"
"$psql_bin" -X -q --no-password -c "SET client_min_messages = error" -c "ANALYZE" || true

summary="$("$psql_bin" -X -A -t -F ' ' --no-password -c "
    SELECT 'conversations=' || (SELECT count(*) FROM conversations)
        || ' messages=' || (SELECT count(*) FROM messages)
        || ' faqs=' || (SELECT count(*) FROM faqs)
        || ' audit_logs=' || (SELECT count(*) FROM audit_logs)
        || ' revision=' || (SELECT coalesce(max(version_num), 'none') FROM alembic_version)" 2>/dev/null \
    || echo "(not an MNP Chatbot schema)")"
echo "restore: $dump into $PGDATABASE: $summary"
