#!/usr/bin/env bash
# certbot deploy hook (/etc/letsencrypt/renewal-hooks/deploy/mnp-chatbot.sh): runs after each certificate
# that certbot issued or renewed. nginx picks up the new certificate on reload, without dropping a
# connection. When the app terminates TLS itself (SSL_CERT_PATH, no nginx), its instances are restarted one
# at a time instead, so no chat is dropped.
set -euo pipefail
if systemctl is-active --quiet nginx; then
    nginx -t -q
    systemctl reload nginx
fi
if grep -qs '^SSL_CERT_PATH=.' /etc/mnp-chatbot/.env.production; then
    /opt/mnp-chatbot/deploy/systemd/rolling-restart.sh
fi
