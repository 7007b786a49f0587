# Shared by backup.sh and restore.sh (sourced, not run): settings, connection and client-version checks.
# shellcheck shell=bash

die() {
    echo "${0##*/}: $*" >&2
    exit 1
}

# A setting from the process environment, else from the env file ENV_FILE (default .env); empty if neither.
setting() {
    local name="$1" file="${ENV_FILE:-.env}" value=""
    if [ -n "${!name:-}" ]; then
        printf '%s' "${!name}"
        return
    fi
    if [ -n "${ENV_FILE:-}" ] && [ ! -f "$ENV_FILE" ]; then
        die "ENV_FILE=$ENV_FILE does not exist"
    fi
    if [ -f "$file" ]; then
        value="$(grep -E "^[[:space:]]*${name}=" "$file" | tail -n 1 | cut -d= -f2- || true)"
        value="${value%\"}"; value="${value#\"}"; value="${value%\'}"; value="${value#\'}"
    fi
    printf '%s' "$value"
}

database_url() {
    local url
    url="$(setting DATABASE_URL)"
    [ -n "$url" ] || die "DATABASE_URL is not set (environment or ${ENV_FILE:-.env}); the embedded development \
database has no backups: set DATABASE_URL to the production server"
    printf '%s' "$url"
}

# Export PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE from a postgresql:// (or postgresql+asyncpg://) URL, so that
# no password appears on a command line.
connect() {
    local exports
    exports="$(printf '%s' "$1" | python3 -c '
import shlex, sys
from urllib.parse import parse_qs, unquote, urlsplit
url = sys.stdin.read().strip()
scheme, sep, rest = url.partition("://")
if not sep or scheme.split("+")[0] not in ("postgresql", "postgres"):
    sys.exit("not a postgresql:// URL")
parts = urlsplit("postgresql://" + rest)
query = parse_qs(parts.query)
values = {
    "PGHOST": query.get("host", [parts.hostname or ""])[0],
    "PGPORT": str(parts.port or query.get("port", [""])[0] or ""),
    "PGUSER": unquote(parts.username or ""),
    "PGPASSWORD": unquote(parts.password or ""),
    "PGDATABASE": unquote(parts.path.lstrip("/")),
}
if not values["PGDATABASE"]:
    sys.exit("the URL names no database")
for name, value in values.items():
    print(f"export {name}={shlex.quote(value)}" if value else f"unset {name}")
')" || die "DATABASE_URL is not usable: it must look like postgresql://user:password@host:5432/database"
    eval "$exports"
    if [ "$(setting DATABASE_SSL)" = "true" ]; then
        export PGSSLMODE="${PGSSLMODE:-require}"
    fi
}

tool() {
    local path
    if [ -n "${PG_BIN:-}" ]; then
        path="$PG_BIN/$1"
        [ -x "$path" ] || die "$path not found (PG_BIN=$PG_BIN)"
    else
        path="$(command -v "$1")" || die "$1 not found: install the PostgreSQL client (apt-get install \
postgresql-client) or set PG_BIN to the directory holding it"
    fi
    printf '%s' "$path"
}

major_of_client() {
    "$(tool "$1")" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/' | head -n 1
}

# The server answers, and the client tool ($1) is at least as new as the server.
check_server() {
    local server client error
    error="$("$(tool psql)" -X -A -t --no-password -d "$PGDATABASE" -c 'SHOW server_version_num' 2>&1)" \
        || die "cannot connect to database ${PGDATABASE} on ${PGHOST:-localhost}:${PGPORT:-5432}: $(echo "$error" \
            | head -n 1)"
    server=$((error / 10000))
    client="$(major_of_client "$1")"
    if [ "$client" -lt "$server" ]; then
        die "$1 $client is older than the PostgreSQL $server server: use the client tools of version $server \
or newer (set PG_BIN to their directory)"
    fi
}
