#!/bin/sh
# Runs one build command trusting an extra CA bundle when the optional build secret `extra_ca` is given
# (builds behind a TLS-inspecting proxy): `podman build --secret id=extra_ca,src=corp-ca.pem .`
# The secret is mounted only for that RUN, and the merged bundle is deleted before the step ends, so no
# layer keeps either. Without the secret the command runs unchanged.
set -eu
secret=/run/secrets/extra_ca
if [ ! -s "$secret" ]; then
    exec "$@"
fi
bundle=$(mktemp)
apt_conf=$(mktemp)
trap 'rm -f "$bundle" "$apt_conf"' EXIT
if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
    cat /etc/ssl/certs/ca-certificates.crt "$secret" >"$bundle"
else
    cat "$secret" >"$bundle"
fi
printf 'Acquire::https::CAInfo "%s";\n' "$bundle" >"$apt_conf"
# apt, pip, uv (SSL_CERT_FILE), Python's ssl and requests, npm/node
export APT_CONFIG="$apt_conf" PIP_CERT="$bundle" SSL_CERT_FILE="$bundle" REQUESTS_CA_BUNDLE="$bundle" \
    NODE_EXTRA_CA_CERTS="$bundle"
"$@"
