#!/usr/bin/env bash
# Installs Debian's nginx (for `scripts/stack.sh` and the nginx tests) without starting Debian's own site.
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
# Keep the package's own service from starting on port 80: the stack runs nginx itself.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
APT=(apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends)
$SUDO "${APT[@]}" nginx 2>/dev/null || {
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
    $SUDO "${APT[@]}" nginx
}
