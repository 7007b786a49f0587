#!/usr/bin/env bash
# The production topology on this machine, on loopback only, for tests and for a look:
#   nginx (Debian's, the shipped deploy/nginx files) with a self-signed certificate on STACK_HTTPS_PORT,
#   two app instances (gunicorn, deploy/gunicorn.conf.py) with two workers each,
#   PostgreSQL + pgvector (the embedded server run on its own, or DATABASE_URL), Redis with a password.
#
#   scripts/stack.sh up             start everything; the last line printed is BASE=https://127.0.0.1:PORT
#   scripts/stack.sh down           stop exactly what `up` started (pid files under STACK_DIR)
#   scripts/stack.sh restart N      restart app instance N (1 or 2) gracefully and wait until it is ready
#   scripts/stack.sh status         what runs
#   scripts/stack.sh check-nginx    render the shipped nginx files for the stack and run `nginx -t` on them
#
# Settings: STACK_DIR (var/stack), STACK_HTTPS_PORT (8443), STACK_HTTP_PORT (8080), STACK_REDIS_PORT (6390),
# STACK_WORKERS (2), STACK_RATE_LIMIT (app requests per client per minute, 120), DATABASE_URL (optional),
# STACK_INSTANCES ("1 2"; "1" runs instance 1 alone and nginx's upstream lists only it, e.g. to measure one worker).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${STACK_DIR:-$ROOT/var/stack}
HTTPS_PORT=${STACK_HTTPS_PORT:-8443}
HTTP_PORT=${STACK_HTTP_PORT:-8080}
REDIS_PORT=${STACK_REDIS_PORT:-6390}
WORKERS=${STACK_WORKERS:-2}
RATE_LIMIT=${STACK_RATE_LIMIT:-120}
BIN=$ROOT/backend/.venv/bin
NGINX=${NGINX:-/usr/sbin/nginx}
read -r -a INSTANCES <<<"${STACK_INSTANCES:-1 2}"

log() { echo "stack: $*" >&2; }

instance_port() { echo $((8000 + $1)); }
worker_port_base() { echo $((8000 + 100 * $1)); }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # seconds, description, command...
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            log "timed out waiting for $what"
            return 1
        fi
        sleep 0.2
    done
}

stop_pid() { # pid file, seconds
    local file=$1 seconds=${2:-30}
    [ -f "$file" ] || return 0
    local pid
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + seconds))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

secrets() {
    [ -f "$DIR/secrets.env" ] && return 0
    umask 077
    {
        echo "JWT_SECRET=$(openssl rand -base64 48 | tr -d '\n')"
        echo "SESSION_SECRET=$(openssl rand -base64 48 | tr -d '\n')"
        echo "ENCRYPTION_KEY=$(openssl rand -base64 32 | tr -d '\n')"
        echo "REDIS_PASSWORD=$(openssl rand -hex 24)"
    } >"$DIR/secrets.env"
}

certificate() {
    [ -f "$DIR/tls/cert.pem" ] && return 0
    mkdir -p "$DIR/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" 2>/dev/null
    chmod 600 "$DIR/tls/key.pem"
}

start_redis() {
    alive "$DIR/redis.pid" && return 0
    # shellcheck disable=SC1091
    local password
    password=$(grep '^REDIS_PASSWORD=' "$DIR/secrets.env" | cut -d= -f2-)
    mkdir -p "$DIR/redis"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --requirepass "$password" --save "" \
        --appendonly no --dir "$DIR/redis" --daemonize yes --pidfile "$DIR/redis.pid" \
        --logfile "$DIR/redis/redis.log" </dev/null >/dev/null 2>&1
    wait_for 10 redis redis-cli -p "$REDIS_PORT" -a "$password" --no-auth-warning ping
}

start_database() {
    if [ -n "${DATABASE_URL:-}" ]; then
        echo "$DATABASE_URL" >"$DIR/database.url"
        return 0
    fi
    alive "$DIR/postgres.pid" && return 0
    rm -f "$DIR/database.url"
    # exec: the pid recorded is the server's holder itself; no shell keeps this script's output open.
    (cd "$ROOT/backend" && exec "$BIN/python" -m scripts.stack_database "$DIR/postgres" "$DIR/database.url") \
        </dev/null >"$DIR/postgres.log" 2>&1 &
    echo $! >"$DIR/postgres.pid"
    wait_for 120 "the database" test -s "$DIR/database.url"
}

app_env() { # instance → the environment of one app instance, as KEY=VALUE lines
    local n=$1
    cat "$DIR/secrets.env"
    cat <<EOF
NODE_ENV=production
HOST=127.0.0.1
PORT=$(instance_port "$n")
WORKER_PORT_BASE=$(worker_port_base "$n")
WEB_CONCURRENCY=$WORKERS
GRACEFUL_TIMEOUT_SECONDS=20
DATABASE_URL=$(cat "$DIR/database.url")
DATABASE_POOL_MIN=1
DATABASE_POOL_MAX=5
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
TRUSTED_PROXIES=127.0.0.1/32
OPS_ALLOWED_NETWORKS=127.0.0.1/32
CORS_ORIGIN=https://127.0.0.1:$HTTPS_PORT
RATE_LIMIT_WINDOW_MS=60000
RATE_LIMIT_MAX_REQUESTS=$RATE_LIMIT
DATA_DIR=$DIR/app$n
LOG_DIR=$DIR/logs/app$n
LOG_LEVEL=info
PROMETHEUS_MULTIPROC_DIR=$DIR/app$n/metrics
RETENTION_PURGE_INTERVAL_SECONDS=0
EOF
}

migrate() {
    local env
    env=$(app_env 1 | grep -v '^PROMETHEUS_MULTIPROC_DIR=')
    # shellcheck disable=SC2046,SC2086
    (cd "$ROOT/backend" && env -i PATH="$PATH" HOME="${HOME:-/root}" $env "$BIN/mnp-chatbot" migrate >&2 &&
        env -i PATH="$PATH" HOME="${HOME:-/root}" $env "$BIN/mnp-chatbot" seed >&2)
}

ready() { curl -fsS "http://127.0.0.1:$(instance_port "$1")/health/ready"; }

start_app() {
    local n=$1
    alive "$DIR/app$n.pid" && return 0
    mkdir -p "$DIR/app$n" "$DIR/logs/app$n"
    local env
    env=$(app_env "$n")
    # shellcheck disable=SC2086
    (cd "$ROOT/backend" && exec env -i PATH="$PATH" HOME="${HOME:-/root}" $env \
        "$BIN/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" --pid "$DIR/app$n.pid") \
        </dev/null >>"$DIR/logs/app$n/stdout.log" 2>&1 &
    wait_for 120 "app instance $n" ready "$n"
}

render_nginx() {
    local conf=$DIR/nginx
    mkdir -p "$conf/conf.d" "$conf/snippets" "$conf/sites" "$conf/logs" "$conf/tmp"
    cp "$ROOT"/deploy/nginx/conf.d/*.conf "$conf/conf.d/"
    local n
    for n in 1 2; do # an instance the stack does not run is not in the upstream
        [[ " ${INSTANCES[*]} " == *" $n "* ]] ||
            sed -i "/server 127.0.0.1:$(instance_port "$n") /d" "$conf/conf.d/mnp-chatbot-upstream.conf"
    done
    cp "$ROOT"/deploy/nginx/snippets/*.conf "$conf/snippets/"
    # The shipped site, moved to loopback ports with the stack's certificate and this checkout's build.
    sed -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
        -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
        -e '/listen \[::\]/d' \
        -e "s|server_name chat.example.jp;|server_name 127.0.0.1 localhost;|" \
        -e "s|https://\$host\$request_uri|https://\$host:$HTTPS_PORT\$request_uri|" \
        -e "s|/etc/letsencrypt/live/chat.example.jp/fullchain.pem|$DIR/tls/cert.pem|" \
        -e "s|/etc/letsencrypt/live/chat.example.jp/privkey.pem|$DIR/tls/key.pem|" \
        -e "s|/var/www/letsencrypt|$conf/acme|" \
        -e "s|/opt/mnp-chatbot/frontend/dist|$ROOT/frontend/dist|" \
        "$ROOT/deploy/nginx/sites-available/mnp-chatbot.conf" >"$conf/sites/mnp-chatbot.conf"
    cat >"$conf/nginx.conf" <<EOF
# Generated by scripts/stack.sh: Debian's nginx.conf essentials with every path under $conf.
user $(id -un);
worker_processes 2;
pid $conf/nginx.pid;
error_log $conf/logs/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    keepalive_timeout 65;
    access_log $conf/logs/access.log;
    client_body_temp_path $conf/tmp/body;
    proxy_temp_path $conf/tmp/proxy;
    fastcgi_temp_path $conf/tmp/fastcgi;
    uwsgi_temp_path $conf/tmp/uwsgi;
    scgi_temp_path $conf/tmp/scgi;
    include conf.d/*.conf;
    include sites/*.conf;
}
EOF
}

start_nginx() {
    render_nginx
    if alive "$DIR/nginx/nginx.pid"; then
        "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -s reload 2>>"$DIR/nginx/logs/error.log"
        return 0
    fi
    "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -t -q
    # Detached from this script's output, which a caller may be reading to its end.
    "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" </dev/null >/dev/null 2>>"$DIR/nginx/logs/error.log"
    wait_for 10 nginx curl -fsSk "https://127.0.0.1:$HTTPS_PORT/health/live"
}

up() {
    [ -x "$NGINX" ] || bash "$ROOT/scripts/install-nginx.sh" >&2
    [ -f "$ROOT/frontend/dist/index.html" ] || make -C "$ROOT" frontend >&2
    mkdir -p "$DIR"
    secrets
    certificate
    start_redis
    start_database
    migrate
    local starting=()
    for n in "${INSTANCES[@]}"; do
        start_app "$n" &
        starting+=($!)
    done
    wait "${starting[@]}"
    for n in "${INSTANCES[@]}"; do ready "$n" >/dev/null || { log "app instance $n is not ready"; exit 1; }; done
    start_nginx
    echo "BASE=https://127.0.0.1:$HTTPS_PORT"
}

down() {
    [ -d "$DIR" ] || return 0
    stop_pid "$DIR/nginx/nginx.pid" 15  # SIGTERM: nginx's fast shutdown
    local stopping=()
    for n in "${INSTANCES[@]}"; do
        stop_pid "$DIR/app$n.pid" 40 &
        stopping+=($!)
    done
    wait "${stopping[@]}"
    stop_pid "$DIR/postgres.pid" 30
    stop_pid "$DIR/redis.pid" 10
    log "stopped"
}

restart() {
    local n=$1
    stop_pid "$DIR/app$n.pid" 40
    start_app "$n"
}

status() {
    for name in redis postgres app1 app2 nginx/nginx; do
        if alive "$DIR/$name.pid"; then echo "$name: running (pid $(cat "$DIR/$name.pid"))"; else echo "$name: stopped"; fi
    done
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    restart) restart "${2:?instance number}" ;;
    status) status ;;
    check-nginx)
        [ -x "$NGINX" ] || bash "$ROOT/scripts/install-nginx.sh" >&2
        mkdir -p "$DIR"
        certificate
        render_nginx
        "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -t
        ;;
    *)
        echo "usage: $0 up|down|restart N|status|check-nginx" >&2
        exit 2
        ;;
esac
