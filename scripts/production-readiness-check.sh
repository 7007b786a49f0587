#!/usr/bin/env bash
# Is this server ready for production? (the seed guide's script; the checks live in `mnp-chatbot check-production`)
#
#   scripts/production-readiness-check.sh [--json] [--cert /etc/letsencrypt/live/DOMAIN/fullchain.pem]
#                                          [--cert-min-days 14] [--disk-path /var/lib/mnp-chatbot]
#
# Reads the settings as the app does (ENV_FILE, default .env, relative to the working directory). Prints one
# line per check (PASS/FAIL and why) and exits 0 only when every check passes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${MNP_CHATBOT_CLI:-$root/backend/.venv/bin/mnp-chatbot}"
if [ ! -x "$cli" ]; then
    echo "production-readiness-check.sh: $cli not found (run make setup first)" >&2
    exit 2
fi
exec "$cli" check-production "$@"
