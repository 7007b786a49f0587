#!/usr/bin/env bash
# Rolls MNP Chatbot back by hand (the seed's rollback section, for this system).
#
#   scripts/rollback.sh k8s <staging|production> [revision]   kubectl rollout undo (previous or given revision)
#   scripts/rollback.sh compose [tag]                          redeploy the previous tag (.deploy/) or <tag>
#
# Migrations are not undone: every migration keeps the previous release working (expand, then contract in a
# later release), so the previous image runs on the migrated schema. To undo one anyway:
# `python -m mnp_chatbot` has no downgrade command; use `alembic downgrade <revision>` from backend/.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR=${DEPLOY_STATE_DIR:-.deploy}

usage() {
    sed -n '2,9p' "$0" >&2
    exit 2
}

case "${1:-}" in
    k8s)
        [ $# -ge 2 ] || usage
        case "$2" in
            staging) namespace=mnp-chatbot-staging ;;
            production) namespace=mnp-chatbot ;;
            *) usage ;;
        esac
        kubectl -n "$namespace" rollout history deployment/mnp-chatbot
        if [ $# -ge 3 ]; then
            kubectl -n "$namespace" rollout undo deployment/mnp-chatbot --to-revision="$3"
        else
            kubectl -n "$namespace" rollout undo deployment/mnp-chatbot
        fi
        kubectl -n "$namespace" rollout status deployment/mnp-chatbot --timeout=600s
        ;;
    compose)
        tag=${2:-$(cat "$STATE_DIR/compose-previous-tag" 2>/dev/null || true)}
        if [ -z "$tag" ]; then
            echo "no previous tag recorded in $STATE_DIR/compose-previous-tag: give the tag to go back to" >&2
            exit 1
        fi
        echo "== rolling back to $tag (migrations are kept)"
        SKIP_MIGRATE=1 scripts/deploy.sh compose "$tag"
        ;;
    *) usage ;;
esac
