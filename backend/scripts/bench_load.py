"""`make bench-load`: the production topology on loopback under customer load (issue 15).

Runs `scripts/stack.sh` (nginx, gunicorn workers, PostgreSQL, Redis) on ports of its own; the caller holds
`flock ../.stack.lock` (the Makefile does). Three parts, each selectable with `--only`:

- steps: for 1 and then 2 gunicorn workers (one instance, STACK_WORKERS), the customer scenario
  (`scripts/load/scenario.py`) at growing numbers of users, each step after a warm-up; at every step the
  trivial endpoint (`GET /health/live`, no think time) at the same concurrency, as the baseline of a noisy
  machine. Reports where p99 crosses 300 ms (the knee) and where the stack breaks (more than 1 % errors,
  or p99 above 2 s), and the 1 → 2 worker ratio of both.
- idle: 10,000 idle socket.io clients on one worker (its RSS before and after, the target is 1 GiB),
  and chat turns answered meanwhile (over HTTPS through nginx, and over socket.io on that worker).
- soak: `--soak-minutes` (20) at half the breaking load of 2 workers, sampling every worker's RSS and open
  files and the database's connections every `--sample-seconds`; PNG charts; fails when a worker's memory
  grows more than `--max-rss-growth-mib`, open files more than 20 or database connections more than 4
  between the first and the last fifth of the run (medians), or more than 1 % of requests fail.

Everything lands in `var/bench/load-<UTC time>/` (results.json, summary.txt, *.png). Exit status 1 when a
soak threshold is exceeded or the idle run's target is missed.
"""

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx

from scripts.load import idle, stack

BACKEND = Path(__file__).resolve().parents[1]
T = TypeVar("T")
PYTHON = str(BACKEND / ".venv" / "bin" / "python")
KNEE_P99_MS = 300.0
BROKEN_P99_MS = 2000.0
BROKEN_ERROR_RATE = 0.01
IDLE_TARGET_MIB = 1024.0
MAX_OPEN_FILES_GROWTH = 20.0
MAX_DB_CONNECTIONS_GROWTH = 4.0
MAX_SOAK_ERROR_RATE = 0.01


def log(message: str) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%H:%M:%S")
    print(f"[{stamp} load {os.getloadavg()[0]:.1f}] {message}", flush=True)


def step(base: str, kind: str, users: int, seconds: float, warmup: float) -> dict[str, Any]:
    command = [PYTHON, "-m", "scripts.load.step", "--host", base, "--kind", kind, "--users", str(users)]
    command += ["--seconds", str(seconds), "--warmup", str(warmup)]
    done = subprocess.run(
        command, cwd=BACKEND, capture_output=True, text=True, timeout=seconds + warmup + 120
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"the load step failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def broken(result: dict[str, Any]) -> bool:
    return bool(result["error_rate"] > BROKEN_ERROR_RATE or result["p99_ms"] > BROKEN_P99_MS)


def verdict(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The knee (the last step with p99 ≤ 300 ms and the first above) and the break (the first of two
    failing steps in a row, or a failing last step: on a shared machine one step can fail alone)."""
    found: dict[str, Any] = {}
    for n, after in enumerate(results):
        before = results[n - 1] if n else None
        if "knee_rps" not in found and after["p99_ms"] > KNEE_P99_MS:
            found["knee_rps"] = before["rps"] if before else 0.0
            found["knee_users"] = before["users"] if before else 0
            found["knee_crossed_at_rps"] = after["rps"]
            found["knee_crossed_at_users"] = after["users"]
        confirmed = n + 1 == len(results) or broken(results[n + 1])
        if "break_rps" not in found and broken(after) and confirmed:
            found["break_rps"] = after["rps"]
            found["break_users"] = after["users"]
            found["last_good_rps"] = before["rps"] if before else 0.0
            found["last_good_users"] = before["users"] if before else 0
            found["max_rps"] = max((r["rps"] for r in results[:n] if not broken(r)), default=0.0)
    found.setdefault("max_rps", max((r["rps"] for r in results if not broken(r)), default=0.0))
    return found


def run_steps(
    workers: int, users: list[int], seconds: float, warmup: float, trivial_seconds: float
) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    with stack.running(workers) as running:
        log(f"stack up: {workers} worker(s) at {running.base}")
        step(running.base, "customers", 10, 5, 3)  # the first requests of a fresh stack (imports, pools)
        for count in users:
            customers = step(running.base, "customers", count, seconds, warmup)
            trivial = step(running.base, "trivial", count, trivial_seconds, 3)
            customers["trivial"] = {key: trivial[key] for key in ("rps", "p50_ms", "p99_ms", "error_rate")}
            customers["ratio_to_trivial"] = customers["rps"] / trivial["rps"] if trivial["rps"] else 0.0
            results.append(customers)
            log(
                f"{workers}w users={count} rps={customers['rps']:.1f} p50={customers['p50_ms']:.0f} "
                f"p99={customers['p99_ms']:.0f} ms errors={customers['error_rate']:.2%} "
                f"client_cpu={customers['client_cpu_percent']:.0f}% | trivial rps={trivial['rps']:.1f} "
                f"p99={trivial['p99_ms']:.0f} ms"
            )
            if broken(customers) and len([r for r in results if broken(r)]) >= 2:
                break
    return {"workers": workers, "steps": results, **verdict(results)}


def raise_open_files() -> None:
    """The idle run holds 10,000 sockets in this process's children and its own: the hard limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def chat_turns(base: str, count: int) -> dict[str, float]:
    """`count` new chats through nginx while the idle clients are held: latencies and failures."""
    transport = httpx.AsyncHTTPTransport(local_address="127.3.0.1", verify=False)
    timings: list[float] = []
    failures = 0
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as client:
        for n in range(count):
            started = time.perf_counter()
            reply = await client.post("/api/chat", json={"message": f"予約番号の有効期限は？（{n}）"})
            timings.append((time.perf_counter() - started) * 1000)
            failures += reply.status_code != 200 or not reply.json().get("reply", {}).get("text")
    timings.sort()
    return {
        "turns": float(count),
        "failures": float(failures),
        "p50_ms": timings[len(timings) // 2],
        "max_ms": timings[-1],
    }


async def socket_turn(port: int) -> float:
    """One chat turn over socket.io on the idle worker itself (from an address of its own); its time in ms."""
    import aiohttp
    import socketio

    connector = aiohttp.TCPConnector(local_addr=("127.3.0.2", 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        client = socketio.AsyncClient(reconnection=False, http_session=session)
        await client.connect(f"http://127.0.0.1:{port}", transports=["websocket"], wait_timeout=10)
        try:
            started = time.perf_counter()
            done = await client.call("chat:message", {"message": "ドコモからauに乗り換えたい"}, timeout=30)
            if not isinstance(done, dict) or "sessionId" not in done:
                raise RuntimeError(f"no chat:done: {done}")
            return (time.perf_counter() - started) * 1000
        finally:
            await client.disconnect()


async def elsewhere(work: Coroutine[Any, Any, T]) -> T:
    """Runs `work` on an event loop of its own in a thread: the idle clients' loop (10,000 sockets answering
    pings) must not be what delays the chat turns measured beside them."""
    return await asyncio.to_thread(asyncio.run, work)


def run_idle(clients: int, hold_seconds: float) -> dict[str, Any]:
    with stack.running(1) as running:
        worker = running.workers()[0]
        port = stack.worker_route(running.base)
        asyncio.run(chat_turns(running.base, 5))  # warm
        before = worker.memory_info().rss / 2**20
        log(f"idle: worker {worker.pid} on port {port}, RSS {before:.0f} MiB; opening {clients} clients")

        async def scenario() -> dict[str, Any]:
            held = idle.Idle(port)
            try:
                return await hold(held)
            finally:
                await held.close()

        async def hold(held: idle.Idle) -> dict[str, Any]:
            started = time.monotonic()
            await held.open(clients)
            opened_in = time.monotonic() - started
            log(f"idle: {held.connected} connected in {opened_in:.0f} s ({held.failed} failed {held.errors})")
            rss_open = worker.memory_info().rss / 2**20
            turns = await elsewhere(chat_turns(running.base, 20))
            stream_ms = await elsewhere(socket_turn(port))
            await asyncio.sleep(hold_seconds)  # past a ping round (25 s): the pongs of every client
            rss_held = worker.memory_info().rss / 2**20
            after_hold = held.connected
            late_turns = await elsewhere(chat_turns(running.base, 20))
            result = {
                "clients": clients,
                "connected": after_hold,
                "connect_failures": held.failed,
                "connect_errors": held.errors,
                "opened_in_s": round(opened_in, 1),
                "rss_before_mib": round(before, 1),
                "rss_connected_mib": round(rss_open, 1),
                "rss_after_hold_mib": round(rss_held, 1),
                "kib_per_connection": round((rss_held - before) * 1024 / max(after_hold, 1), 1),
                "open_files": worker.num_fds(),
                "chat_while_idle": turns,
                "chat_after_hold": late_turns,
                "socket_turn_ms": round(stream_ms, 1),
                "load_average": os.getloadavg()[0],
            }
            return result

        return asyncio.run(scenario())


def run_soak(users: int, minutes: float, sample_seconds: float, out: Path) -> dict[str, Any]:
    samples: list[dict[str, Any]] = []
    windows: list[dict[str, Any]] = []
    with stack.running(2) as running:
        step(running.base, "customers", 10, 5, 3)
        seconds = minutes * 60
        command = [PYTHON, "-m", "scripts.load.step", "--host", running.base, "--users", str(users)]
        command += [
            "--seconds",
            str(seconds),
            "--warmup",
            "10",
            "--interval",
            str(max(sample_seconds * 6, 10)),
        ]
        log(f"soak: {users} users for {minutes} min")
        process = subprocess.Popen(command, cwd=BACKEND, stdout=subprocess.PIPE, text=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
        reader.start()
        started = time.monotonic()
        while process.poll() is None:
            with contextlib.suppress(Exception):
                samples.append(stack.sample(running, started))
            time.sleep(sample_seconds)
        reader.join(10)
        for line in lines:
            if line.startswith('{"window"'):
                windows.append(json.loads(line)["window"])
        total = json.loads(next(line for line in reversed(lines) if line.startswith('{"kind"')))
    result = {"users": users, "minutes": minutes, **total, "samples": samples, "windows": windows}
    result["growth"] = growth(samples)
    result["failed_checks"] = soak_failures(result)
    charts(result, out)
    return result


def fifths(values: list[float]) -> tuple[float, float]:
    """The medians of the first and the last fifth of a series."""
    part = max(len(values) // 5, 1)
    return statistics.median(values[:part]), statistics.median(values[-part:])


def growth(samples: list[dict[str, Any]]) -> dict[str, Any]:
    if len(samples) < 5:
        return {}
    workers = min(len(s["rss_mib"]) for s in samples)
    found: dict[str, Any] = {"rss_mib": [], "open_files": []}
    for n in range(workers):
        for key in ("rss_mib", "open_files"):
            first, last = fifths([s[key][n] for s in samples])
            found[key].append(
                {"first": round(first, 1), "last": round(last, 1), "growth": round(last - first, 1)}
            )
    first, last = fifths([s["db_connections"] for s in samples])
    found["db_connections"] = {"first": first, "last": last, "growth": last - first}
    found["db_connections_max"] = max(s["db_connections"] for s in samples)
    return found


MAX_RSS_GROWTH_MIB = 64.0


def soak_failures(result: dict[str, Any]) -> list[str]:
    found: list[str] = []
    grown = result["growth"]
    if not grown:
        return ["too few samples"]
    for n, rss in enumerate(grown["rss_mib"]):
        if rss["growth"] > MAX_RSS_GROWTH_MIB:
            found.append(f"worker {n} RSS grew {rss['growth']} MiB (> {MAX_RSS_GROWTH_MIB})")
    for n, files in enumerate(grown["open_files"]):
        if files["growth"] > MAX_OPEN_FILES_GROWTH:
            found.append(f"worker {n} open files grew by {files['growth']} (> {MAX_OPEN_FILES_GROWTH})")
    if grown["db_connections"]["growth"] > MAX_DB_CONNECTIONS_GROWTH:
        found.append(f"database connections grew by {grown['db_connections']['growth']}")
    if result["error_rate"] > MAX_SOAK_ERROR_RATE:
        found.append(f"{result['error_rate']:.2%} of requests failed")
    return found


def charts(result: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = result["samples"]
    if not samples:
        return
    minutes = [s["t"] / 60 for s in samples]
    figure, axes = plt.subplots(4, 1, figsize=(9, 11), sharex=True)
    workers = min(len(s["rss_mib"]) for s in samples)
    for n in range(workers):
        axes[0].plot(minutes, [s["rss_mib"][n] for s in samples], label=f"worker {n + 1}")
        axes[1].plot(minutes, [s["open_files"][n] for s in samples], label=f"worker {n + 1}")
    axes[0].set_ylabel("RSS (MiB)")
    axes[1].set_ylabel("open files")
    axes[2].plot(minutes, [s["db_connections"] for s in samples], color="tab:green")
    axes[2].set_ylabel("DB connections")
    windows = result["windows"]
    axes[3].plot([w["t"] / 60 for w in windows], [w["p99_ms"] for w in windows], label="p99 (ms)")
    axes[3].set_ylabel("p99 (ms)")
    throughput = axes[3].twinx()
    throughput.plot([w["t"] / 60 for w in windows], [w["rps"] for w in windows], color="tab:orange")
    throughput.set_ylabel("requests/s", color="tab:orange")
    throughput.set_ylim(bottom=0)
    axes[3].set_xlabel("minutes")
    for axis in axes:
        axis.grid(alpha=0.3)
        axis.set_ylim(bottom=0, top=axis.get_ylim()[1] * 1.15)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(loc="lower right")
    figure.suptitle(f"Soak: {result['users']} users, {result['minutes']} min, 2 workers (make bench-load)")
    figure.tight_layout()
    figure.savefig(out / "soak.png", dpi=90)
    plt.close(figure)


def steps_chart(configs: list[dict[str, Any]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 5))
    for config in configs:
        rows = config["steps"]
        axis.plot(
            [r["rps"] for r in rows],
            [r["p99_ms"] for r in rows],
            marker="o",
            label=f"{config['workers']} worker(s)",
        )
    axis.axhline(KNEE_P99_MS, color="grey", linestyle="--", label="300 ms")
    axis.set_xlabel("customer requests/s")
    axis.set_ylabel("p99 (ms)")
    axis.set_yscale("log")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(out / "steps.png", dpi=90)
    plt.close(figure)


def summary(results: dict[str, Any]) -> str:
    lines: list[str] = []
    for config in results.get("steps", []):
        w = config["workers"]
        for r in config["steps"]:
            lines.append(
                f"steps workers={w} users={r['users']} rps={r['rps']:.1f} p50_ms={r['p50_ms']:.0f} "
                f"p99_ms={r['p99_ms']:.0f} errors={r['error_rate']:.4f} "
                f"trivial_rps={r['trivial']['rps']:.1f} "
                f"trivial_p99_ms={r['trivial']['p99_ms']:.0f} ratio={r['ratio_to_trivial']:.3f} "
                f"load={r['load_average']:.1f}"
            )
        keys = ("knee_rps", "knee_crossed_at_rps", "break_rps", "last_good_rps", "max_rps")
        lines.append(f"verdict workers={w} " + " ".join(f"{k}={config[k]:.1f}" for k in keys if k in config))
    configs = {c["workers"]: c for c in results.get("steps", [])}
    if 1 in configs and 2 in configs:
        for key in ("knee_rps", "max_rps"):
            if configs[1].get(key):
                lines.append(f"scaling_1_to_2 {key}={configs[2].get(key, 0.0) / configs[1][key]:.2f}")
    if "idle" in results:
        i = results["idle"]
        lines.append(
            f"idle clients={i['connected']}/{i['clients']} rss_before_mib={i['rss_before_mib']} "
            f"rss_after_hold_mib={i['rss_after_hold_mib']} kib_per_connection={i['kib_per_connection']} "
            f"chat_p50_ms={i['chat_while_idle']['p50_ms']:.0f} "
            f"chat_failures={i['chat_while_idle']['failures']:.0f} "
            f"socket_turn_ms={i['socket_turn_ms']} target_mib={IDLE_TARGET_MIB:.0f}"
        )
    if "soak" in results:
        s = results["soak"]
        lines.append(
            f"soak users={s['users']} minutes={s['minutes']} rps={s['rps']:.1f} errors={s['error_rate']:.4f} "
            f"worst_window_p99_ms={s['worst_window_p99_ms']:.0f} growth={json.dumps(s['growth'])} "
            f"failed={s['failed_checks']}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="steps,idle,soak", help="comma-separated parts: steps, idle, soak")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--users", default="5,10,15,20,30,40,60,80,120,160,240")
    parser.add_argument("--step-seconds", type=float, default=25)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--trivial-seconds", type=float, default=10)
    parser.add_argument("--idle-clients", type=int, default=10_000)
    parser.add_argument("--idle-hold-seconds", type=float, default=35)
    parser.add_argument("--soak-minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "20")))
    parser.add_argument(
        "--soak-users", type=int, default=0, help="0: half the 2-worker breaking load's users"
    )
    parser.add_argument("--sample-seconds", type=float, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    parts = set(args.only.split(","))
    out = args.out or stack.REPO / "var" / "bench" / dt.datetime.now(dt.UTC).strftime("load-%Y%m%d-%H%M")
    out.mkdir(parents=True, exist_ok=True)
    raise_open_files()
    results: dict[str, Any] = {"started": dt.datetime.now(dt.UTC).isoformat(), "cpus": os.cpu_count()}
    failed: list[str] = []

    def save() -> None:
        (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")

    if "steps" in parts:
        users = [int(n) for n in args.users.split(",")]
        results["steps"] = [
            run_steps(int(w), users, args.step_seconds, args.warmup, args.trivial_seconds)
            for w in args.workers.split(",")
        ]
        steps_chart(results["steps"], out)
        save()
    if "idle" in parts:
        results["idle"] = run_idle(args.idle_clients, args.idle_hold_seconds)
        save()
        if (
            results["idle"]["rss_after_hold_mib"] > IDLE_TARGET_MIB
            or results["idle"]["connected"] < args.idle_clients
        ):
            failed.append("idle: target missed")
    if "soak" in parts:
        soak_users = args.soak_users
        if not soak_users:
            two = next((c for c in results.get("steps", []) if c["workers"] == 2), None)
            if two is None:
                parser.error("--soak-users is needed without a 2-worker step run")
            soak_users = max((two.get("break_users") or two["steps"][-1]["users"]) // 2, 1)
        results["soak"] = run_soak(soak_users, args.soak_minutes, args.sample_seconds, out)
        failed += results["soak"]["failed_checks"]
        save()
    text = summary(results)
    (out / "summary.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"output: {out}")
    for reason in failed:
        print(f"FAILED: {reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
