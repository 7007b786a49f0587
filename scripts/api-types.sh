#!/usr/bin/env bash
# Generates the front end's API types from the app's OpenAPI document:
#   scripts/api-types.sh OUT            write OUT (frontend/src/api/generated.ts)
#   scripts/api-types.sh --check OUT    regenerate into a temporary file; fail with the diff when OUT is stale
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
if [ "${1:-}" = "--check" ]; then check=true; shift; fi
out="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd backend && .venv/bin/python -m scripts.openapi_schema) >"$work/openapi.json"
(cd frontend && npx --no-install openapi-typescript "$work/openapi.json" -o "$work/generated.ts" --default-non-nullable false --silent)
if ! $check; then
  cp "$work/generated.ts" "$out"
  exit 0
fi
if ! diff -u "$out" "$work/generated.ts" >"$work/diff"; then
  head -n 60 "$work/diff" >&2
  echo "$out is stale: run 'make api-types' and commit the result" >&2
  exit 1
fi
echo "$out is up to date"
