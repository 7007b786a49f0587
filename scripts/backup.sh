#!/usr/bin/env bash
# Dump the MNP Chatbot database (pg_dump custom format) into a timestamped file and prune old dumps.
#
#   scripts/backup.sh [--dir DIR] [--keep N] [--keep-days D]
#
# The database is DATABASE_URL from the environment, else from the env file ENV_FILE (default .env).
#   BACKUP_DIR        where dumps go (default ./backups)            --dir
#   BACKUP_KEEP       newest dumps kept (default 14, 0 = no limit)  --keep
#   BACKUP_KEEP_DAYS  dumps older than this are removed (default 30, 0 = no limit)  --keep-days
#   PG_BIN            directory of pg_dump/psql/pg_restore (default: PATH); pg_dump must be at least as new as
#                     the server, e.g. PG_BIN=/usr/lib/postgresql/16/bin for a PostgreSQL 16 server
# Prints the path of the new dump as its last line. Exit status 0 only when the dump is complete and readable.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/pg-common.sh
source "$here/pg-common.sh"

dir="${BACKUP_DIR:-backups}"
keep="${BACKUP_KEEP:-14}"
keep_days="${BACKUP_KEEP_DAYS:-30}"
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
        --keep) keep="${2:?--keep needs a number}"; shift 2 ;;
        --keep-days) keep_days="${2:?--keep-days needs a number}"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[[ "$keep" =~ ^[0-9]+$ ]] || die "--keep/BACKUP_KEEP must be a whole number, not '$keep'"
[[ "$keep_days" =~ ^[0-9]+$ ]] || die "--keep-days/BACKUP_KEEP_DAYS must be a whole number, not '$keep_days'"

url="$(database_url)"
connect "$url"
check_server "pg_dump"

mkdir -p "$dir" || die "cannot create the backup directory $dir"
[ -w "$dir" ] || die "the backup directory $dir is not writable"
prefix="${PGDATABASE}-"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
while [ -e "$dir/$prefix$stamp.dump" ]; do
    sleep 1
    stamp="$(date -u +%Y%m%dT%H%M%SZ)"
done
target="$dir/$prefix$stamp.dump"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

"$(tool pg_dump)" --format=custom --compress=6 --no-password --file="$partial" \
    || die "pg_dump of database $PGDATABASE failed (see the message above); no dump was written"
"$(tool pg_restore)" --list "$partial" >/dev/null \
    || die "the new dump $partial cannot be read back by pg_restore; it was removed"
mv "$partial" "$target"
trap - EXIT

# Retention: keep the newest $keep dumps and none older than $keep_days days; never the one just made.
mapfile -t dumps < <(find "$dir" -maxdepth 1 -type f -name "$prefix*.dump" -printf '%f\n' | sort -r)
removed=0
for index in "${!dumps[@]}"; do
    name="${dumps[$index]}"
    [ "$name" = "$(basename "$target")" ] && continue
    if { [ "$keep" -gt 0 ] && [ "$index" -ge "$keep" ]; } \
        || { [ "$keep_days" -gt 0 ] && [ -n "$(find "$dir/$name" -mtime "+$((keep_days - 1))" -print)" ]; }; then
        rm -f "$dir/$name"
        removed=$((removed + 1))
    fi
done

size="$(stat -c %s "$target")"
echo "backup: database $PGDATABASE, $size bytes, removed $removed old dump(s) (keep $keep, $keep_days days)"
echo "$target"
