#!/usr/bin/env bash
# Installs Debian's wrk, the HTTP load generator `make bench-chat` drives.
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends wrk 2>/dev/null || {
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends wrk
}
