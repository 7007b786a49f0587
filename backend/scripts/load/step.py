"""One load step: N locust users against BASE for a while, its figures as one JSON line on stdout.

    python -m scripts.load.step --host https://127.0.0.1:18443 --users 50 --seconds 30 --kind customers

The users start within a second, run `--warmup` seconds (TLS handshakes, pools growing) and the statistics
are reset; the figures are those of the next `--seconds`. Run in a process of its own: locust patches the
standard library for gevent.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402 - after gevent's patching, as locust requires
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402
from locust.env import Environment  # noqa: E402

from scripts.load import scenario  # noqa: E402

PERCENTILES = (0.5, 0.9, 0.99)


def figures(entry: Any, seconds: float) -> dict[str, float]:
    found = {
        "requests": float(entry.num_requests),
        "failures": float(entry.num_failures),
        "rps": entry.num_requests / seconds,
        "error_rate": entry.num_failures / entry.num_requests if entry.num_requests else 0.0,
        "mean_ms": float(entry.avg_response_time),
    }
    for share in PERCENTILES:
        found[f"p{round(share * 100)}_ms"] = float(entry.get_response_time_percentile(share) or 0.0)
    return found


def run(
    host: str, kind: str, users: int, seconds: float, warmup: float, interval: float = 0
) -> dict[str, Any]:
    """Figures of the `seconds` after the warm-up; with `interval`, also a JSON line per window on stdout."""
    environment = Environment(user_classes=scenario.user_classes(kind), host=host)
    runner = environment.create_local_runner()
    this = psutil.Process()
    runner.start(users, spawn_rate=max(users, 1))
    gevent.sleep(warmup)
    environment.stats.reset_all()
    this.cpu_percent()
    started = time.monotonic()
    if interval > 0:
        windows: list[dict[str, Any]] = []
        while time.monotonic() - started < seconds - interval / 2:
            window_started = time.monotonic()
            gevent.sleep(min(interval, seconds - (window_started - started)))
            window = report(environment, kind, users, time.monotonic() - window_started, this)
            window["t"] = round(time.monotonic() - started, 1)
            sys.stdout.write(json.dumps({"window": window}, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            windows.append(window)
            environment.stats.reset_all()
        result = {"kind": kind, "users": users, "windows": len(windows), **totals(windows)}
    else:
        gevent.sleep(seconds)
        result = report(environment, kind, users, time.monotonic() - started, this)
    return result  # the process exits without stopping the users (main): a quit waits on their sockets


def totals(windows: list[dict[str, Any]]) -> dict[str, float]:
    requests = sum(w["requests"] for w in windows)
    failures = sum(w["failures"] for w in windows)
    seconds = sum(w["seconds"] for w in windows)
    return {
        "requests": requests,
        "failures": failures,
        "seconds": seconds,
        "rps": requests / seconds if seconds else 0.0,
        "error_rate": failures / requests if requests else 0.0,
        "worst_window_p99_ms": max((w["p99_ms"] for w in windows), default=0.0),
    }


def report(
    environment: Environment, kind: str, users: int, elapsed: float, this: psutil.Process
) -> dict[str, Any]:
    total = environment.stats.total
    return {
        "kind": kind,
        "users": users,
        "seconds": round(elapsed, 1),
        **figures(total, elapsed),
        "client_cpu_percent": this.cpu_percent(),
        "load_average": os.getloadavg()[0],
        "by_name": {name: figures(entry, elapsed) for (name, _), entry in environment.stats.entries.items()},
        "errors": [
            {"name": error.name, "error": str(error.error)[:200], "count": error.occurrences}
            for error in list(environment.stats.errors.values())[:10]
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True)
    parser.add_argument("--kind", choices=["customers", "trivial"], default="customers")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument(
        "--interval", type=float, default=0, help="also print each window of this many seconds"
    )
    args = parser.parse_args()
    result = run(args.host, args.kind, args.users, args.seconds, args.warmup, args.interval)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    os._exit(0)  # locust's greenlets may still be closing connections; the figures are out


if __name__ == "__main__":
    sys.exit(main())
