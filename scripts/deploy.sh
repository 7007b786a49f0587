#!/usr/bin/env bash
# Deploys MNP Chatbot by hand, as the CI pipeline does (.github/workflows/deploy.yml).
#
#   scripts/deploy.sh k8s <staging|production> <tag>   migration Job, then the overlay, then the rollout
#   scripts/deploy.sh k8s-render <staging|production> <tag>   print the manifests that would be applied
#   scripts/deploy.sh compose <tag>                     docker-compose.production.yml, one replica at a time
#
# IMAGE_REPOSITORY (default registry.example.jp/mnp-chatbot) is where the image tagged <tag> is.
# compose: COMPOSE (default "docker compose"; "podman-compose" works too), ENV_FILE (.env.production),
# ENGINE (docker or podman, for health checks). The tags deployed are kept in .deploy/ for rollback.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE_REPOSITORY=${IMAGE_REPOSITORY:-registry.example.jp/mnp-chatbot}
COMPOSE_FILE=docker-compose.production.yml
STATE_DIR=${DEPLOY_STATE_DIR:-.deploy}

usage() {
    sed -n '2,11p' "$0" >&2
    exit 2
}

namespace_of() {
    case "$1" in
        staging) echo mnp-chatbot-staging ;;
        production) echo mnp-chatbot ;;
        *) echo "unknown environment '$1' (staging or production)" >&2; exit 2 ;;
    esac
}

# The overlay with the image set to IMAGE_REPOSITORY:<tag>, rendered with kubectl's built-in kustomize.
k8s_render() {
    local environment=$1 tag=$2 work
    namespace_of "$environment" >/dev/null
    work=$(mktemp -d)
    trap 'rm -rf "$work"' RETURN
    cp -R k8s "$work/k8s"
    mkdir -p "$work/k8s/release"
    cat >"$work/k8s/release/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../overlays/$environment
images:
  - name: registry.example.jp/mnp-chatbot
    newName: $IMAGE_REPOSITORY
    newTag: "$tag"
YAML
    kubectl kustomize "$work/k8s/release"
}

k8s_deploy() {
    local environment=$1 tag=$2 namespace manifests
    namespace=$(namespace_of "$environment")
    manifests=$(mktemp)
    trap 'rm -f "$manifests"' RETURN
    k8s_render "$environment" "$tag" >"$manifests"

    echo "== $environment: namespace, configuration, policies, ingress, autoscaling"
    kubectl apply -f "$manifests" -l '!app.kubernetes.io/component'
    if ! kubectl -n "$namespace" get secret mnp-chatbot-secrets >/dev/null 2>&1; then
        echo "secret mnp-chatbot-secrets is missing in $namespace: create it (k8s/base/secret.example.yaml)" >&2
        exit 1
    fi

    echo "== $environment: migrations (Job mnp-chatbot-migrate, image $IMAGE_REPOSITORY:$tag)"
    kubectl -n "$namespace" delete job mnp-chatbot-migrate --ignore-not-found --wait=true
    kubectl apply -f "$manifests" -l app.kubernetes.io/component=migrate
    if ! kubectl -n "$namespace" wait --for=condition=complete job/mnp-chatbot-migrate --timeout=600s; then
        kubectl -n "$namespace" logs job/mnp-chatbot-migrate --tail=100 >&2 || true
        echo "migrations failed: the running version stays" >&2
        exit 1
    fi

    echo "== $environment: app"
    kubectl apply -f "$manifests" -l app.kubernetes.io/component=app
    kubectl -n "$namespace" annotate deployment/mnp-chatbot --overwrite \
        kubernetes.io/change-cause="deploy $IMAGE_REPOSITORY:$tag"
    kubectl -n "$namespace" rollout status deployment/mnp-chatbot --timeout=600s
    kubectl -n "$namespace" get pods -l app.kubernetes.io/name=mnp-chatbot,app.kubernetes.io/component=app
}

compose() {
    # shellcheck disable=SC2086  # COMPOSE may be two words ("docker compose")
    ${COMPOSE:-docker compose} -f "$COMPOSE_FILE" --env-file "${ENV_FILE:-.env.production}" "$@"
}

wait_healthy() {
    local service=$1 engine=${ENGINE:-docker} id status
    for _ in $(seq 90); do
        id=$(compose ps -q "$service" | head -n1)
        status=""
        if [ -n "$id" ]; then
            status=$("$engine" inspect --format '{{.State.Health.Status}}' "$id" 2>/dev/null || true)
        fi
        if [ "$status" = healthy ]; then
            return 0
        fi
        sleep 2
    done
    echo "$service did not become healthy" >&2
    return 1
}

compose_deploy() {
    local tag=$1
    export MNP_IMAGE="$IMAGE_REPOSITORY:$tag" MNP_NGINX_IMAGE="$IMAGE_REPOSITORY-nginx:$tag"
    mkdir -p "$STATE_DIR"
    if ! compose pull app1 2>/dev/null; then
        echo "== building $MNP_IMAGE and $MNP_NGINX_IMAGE locally"
        compose build app1
        compose build nginx
    fi
    compose up -d postgres redis
    wait_healthy postgres
    wait_healthy redis
    if [ "${SKIP_MIGRATE:-0}" != 1 ]; then
        echo "== migrations"
        compose run --rm migrate
        compose run --rm db-roles   # grants of new tables and the runtime login's password (roles.sql)
    fi
    # One replica at a time: nginx sends traffic to the other while one restarts.
    for service in app1 app2; do
        echo "== $service → $MNP_IMAGE"
        compose up -d --no-deps "$service"
        wait_healthy "$service"
    done
    compose up -d --no-deps nginx
    wait_healthy nginx
    if [ -f "$STATE_DIR/compose-current-tag" ] && [ "$(cat "$STATE_DIR/compose-current-tag")" != "$tag" ]; then
        cp "$STATE_DIR/compose-current-tag" "$STATE_DIR/compose-previous-tag"
    fi
    echo "$tag" >"$STATE_DIR/compose-current-tag"
    compose ps
}

case "${1:-}" in
    k8s) [ $# -eq 3 ] || usage; k8s_deploy "$2" "$3" ;;
    k8s-render) [ $# -eq 3 ] || usage; k8s_render "$2" "$3" ;;
    compose) [ $# -eq 2 ] || usage; compose_deploy "$2" ;;
    *) usage ;;
esac
