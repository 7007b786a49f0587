#!/usr/bin/env bash
# Restart the app instances one after the other; each `systemctl restart` returns once the instance is
# ready again (ExecStartPost), so nginx always has one to send requests to.
set -euo pipefail
for instance in 1 2; do
    systemctl restart "mnp-chatbot@${instance}.service"
done
