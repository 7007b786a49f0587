#!/usr/bin/env bash
# Installs the Debian tools the deployment checks use (tests/deploy): podman + runc + debootstrap for the
# image build-and-run test, promtool and amtool (prometheus, prometheus-alertmanager) for the monitoring
# rules, logrotate, and shellcheck (actionlint checks the workflows' shell steps with it).
# The Python-packaged linters (hadolint, actionlint, kubernetes-validate, podman-compose) are dev extras.
# kubectl (for `kubectl kustomize`) is on the machine; Debian's kubernetes-client is installed only if not.
set -euo pipefail

need=()
for pair in podman:podman runc:runc debootstrap:debootstrap promtool:prometheus amtool:prometheus-alertmanager \
    logrotate:logrotate shellcheck:shellcheck newuidmap:uidmap fuse-overlayfs:fuse-overlayfs; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "${pair%%:*}" >/dev/null 2>&1 \
        || need+=("${pair##*:}")
done
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)

if [ "${#need[@]}" -eq 0 ]; then
    echo "deployment tools present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing ${need[*]}"
$SUDO apt-get update -q >/dev/null
# The packaged services (prometheus, alertmanager) are not started: only their command-line tools are used.
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
