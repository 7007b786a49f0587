#!/usr/bin/env bash
# Dependency audits (CI's `audit` job): pip-audit over backend/requirements.lock and npm audit over the
# front end, failing on any advisory that is not in .github/audit-allowlist.txt (or whose entry expired).
set -euo pipefail
cd "$(dirname "$0")/.."

ALLOWLIST=.github/audit-allowlist.txt
today=$(date -u +%F)
allowed=()
while read -r id expiry _; do
    case "$id" in ''|'#'*) continue ;; esac
    if [[ "$expiry" < "$today" ]]; then
        echo "allow-list entry $id expired on $expiry: it is audited again" >&2
        continue
    fi
    allowed+=("$id")
done <"$ALLOWLIST"

ignore=()
for id in "${allowed[@]}"; do
    ignore+=(--ignore-vuln "$id")
done
echo "== pip-audit (backend/requirements.lock)"
backend/.venv/bin/pip-audit --disable-pip --no-deps -r backend/requirements.lock "${ignore[@]}"

echo "== npm audit (frontend, high and critical)"
report=$(npm --prefix frontend audit --json --audit-level=high 2>/dev/null) || true
ALLOWED="${allowed[*]}" python3 -c '
import json, os, sys
allowed = set(os.environ["ALLOWED"].split())
report = json.loads(sys.stdin.read() or "{}")
if "vulnerabilities" not in report:
    message = report.get("message", report)
    sys.exit(f"npm audit did not run: {message}")
bad = []
for name, vuln in report["vulnerabilities"].items():
    severity = vuln.get("severity")
    if severity not in ("high", "critical"):
        continue
    ids = {item.get("url", "").rsplit("/", 1)[-1] for item in vuln.get("via", []) if isinstance(item, dict)}
    if not ids or not ids <= allowed:
        via = sorted(ids) or vuln.get("via")
        bad.append(f"{name} ({severity}): {via}")
print("\n".join(bad) if bad else "no high or critical advisories outside the allow-list")
sys.exit(1 if bad else 0)
' <<<"$report"
