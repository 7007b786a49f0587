"""`make bench-chat`: chat-turn throughput and latency against a trivial endpoint of the same app.

Starts the real server (one uvicorn process, no LLM, embedded PostgreSQL in a scratch directory), then runs
wrk with 50 connections on loopback: first `GET /health/live` (the trivial JSON baseline), then
`POST /api/chat` with questions from the development sets, one new session per request. Prints
`NAME metric=value …` lines and the ratios. Targets (issue 15): chat turn ≥ 0.30 of the trivial endpoint's
throughput with p99 ≤ 60 ms; a question never seen before ≥ 0.20 (issue 4 asked 0.15 and 100 ms).

The question sets are small, so after the warm-up every question has been analysed once and the
per-snapshot memo answers its analysis. A last run (`chat_turn_new_questions`, no target) makes every
question new by numbering it, so retrieval, brand and slot analysis run on every request: the cost of
a question nobody asked before. Each target line says `met=yes|no`; the exit status stays 0 (a figure,
not a gate).
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.bench_server import questions, served

TARGET_RATIO = 0.30
TARGET_P99_MS = 60.0
TARGET_NEW_RATIO = 0.20

# Customers come from many addresses: each request carries one of 4,000 client addresses from the
# benchmarking range (RFC 2544, only a header value) through the trusted local proxy, so the real rate
# limiter runs with its production settings.
LUA = """
local questions = {%s}
local i = 0
request = function()
  i = i + 1
  local body = '{"message": "' .. questions[(i %% #questions) + 1] .. %s .. '"}'
  local client = "198.18." .. (math.floor(i / 250) %% 16) .. "." .. (i %% 250)
  local headers = {["Content-Type"] = "application/json", ["X-Forwarded-For"] = client}
  return wrk.format("POST", "/api/chat", headers, body)
end
"""


def lua_script(directory: Path, *, numbered: bool = False) -> Path:
    """The request script; `numbered` appends （n） to the n-th question so that no two are the same."""
    quoted = ", ".join(json.dumps(q, ensure_ascii=False).replace("\\", "\\\\") for q in questions())
    suffix = '"（" .. i .. "）"' if numbered else '""'
    path = directory / ("numbered.lua" if numbered else "chat.lua")
    path.write_text(LUA % (quoted, suffix), encoding="utf-8")
    return path


def wrk(url: str, *, seconds: int, connections: int, script: Path | None = None) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse(output)


def parse(output: str) -> dict[str, float]:
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}  # type: ignore[union-attr]
    for label in ("50", "90", "99"):
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.MULTILINE)
        if found:
            scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
            result[f"p{label}_ms"] = float(found.group(1)) * scale
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = float(errors.group(1)) if errors else 0.0
    return result


def line(name: str, figures: dict[str, float]) -> str:
    return name + " " + " ".join(f"{key}={value:.2f}" for key, value in figures.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)")
        return 1
    with served({"TRUSTED_PROXIES": "127.0.0.1/32"}) as base, tempfile.TemporaryDirectory() as scratch:
        script = lua_script(Path(scratch))
        # Warm-up of both endpoints: connection pools grow to their working size and every question of the
        # set has been seen once, so the figures are the steady state, not the first second.
        wrk(base + "/health/live", seconds=2, connections=args.connections)
        wrk(base + "/api/chat", seconds=3, connections=args.connections, script=script)
        trivial = wrk(base + "/health/live", seconds=args.seconds, connections=args.connections)
        chat = wrk(base + "/api/chat", seconds=args.seconds, connections=args.connections, script=script)
        numbered = lua_script(Path(scratch), numbered=True)
        new = wrk(base + "/api/chat", seconds=args.seconds, connections=args.connections, script=numbered)
    print(line("trivial_json", trivial))
    print(line("chat_turn", chat))
    new_ratio = new["rps"] / trivial["rps"]
    print(line("chat_turn_new_questions", new) + f" ratio={new_ratio:.3f}")
    ratio = chat["rps"] / trivial["rps"]
    p99 = chat.get("p99_ms", 0.0)
    met = "yes" if ratio >= TARGET_RATIO and p99 <= TARGET_P99_MS else "no"
    print(
        f"chat_vs_trivial ratio={ratio:.3f} target_ratio={TARGET_RATIO} p99_ms={p99:.1f}",
        f"target_p99_ms={TARGET_P99_MS} met={met}",
    )
    met = "yes" if new_ratio >= TARGET_NEW_RATIO else "no"
    print(f"new_questions_vs_trivial ratio={new_ratio:.3f} target_ratio={TARGET_NEW_RATIO} met={met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
