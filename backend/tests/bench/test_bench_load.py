"""The load benchmark's own judgement (`make bench-load`), on made-up figures: where the knee and the break
are found, and when a soak fails. No load is generated here."""

from typing import Any

from scripts import bench_load
from scripts.load import idle


def step(users: int, rps: float, p99: float, errors: float = 0.0) -> dict[str, Any]:
    return {"users": users, "rps": rps, "p99_ms": p99, "error_rate": errors}


def test_the_knee_is_the_last_step_under_300_ms_and_the_break_the_first_failing_one() -> None:
    steps = [step(5, 10, 120), step(10, 20, 250), step(20, 38, 420), step(40, 45, 2500), step(60, 40, 9000)]
    found = bench_load.verdict(steps)
    assert (found["knee_rps"], found["knee_users"], found["knee_crossed_at_rps"]) == (20, 10, 38)
    assert (found["break_rps"], found["break_users"], found["last_good_rps"]) == (45, 40, 38)
    assert found["max_rps"] == 38


def test_one_failing_step_between_good_ones_is_not_the_break() -> None:
    steps = [step(5, 10, 120), step(10, 15, 3500), step(20, 36, 900), step(30, 44, 1400), step(40, 45, 4800)]
    steps.append(step(60, 40, 7000))
    found = bench_load.verdict(steps)
    assert (found["break_users"], found["last_good_users"], found["max_rps"]) == (40, 30, 44)


def test_errors_break_the_stack_even_when_fast() -> None:
    found = bench_load.verdict([step(5, 10, 50), step(10, 19, 60, errors=0.05)])
    assert found["break_users"] == 10
    assert "knee_rps" not in found


def samples(rss: list[float], files: list[float], connections: list[float]) -> list[dict[str, Any]]:
    return [
        {"t": n * 5.0, "rss_mib": [r, 300.0], "open_files": [f, 40.0], "db_connections": c}
        for n, (r, f, c) in enumerate(zip(rss, files, connections, strict=True))
    ]


def soak(rss: list[float], files: list[float], connections: list[float], errors: float = 0.0) -> list[str]:
    taken = samples(rss, files, connections)
    return bench_load.soak_failures({"growth": bench_load.growth(taken), "error_rate": errors})


def test_a_flat_soak_passes_and_each_kind_of_growth_fails_it() -> None:
    flat = [300.0 + n % 3 for n in range(50)]
    files = [40.0] * 50
    connections = [10.0] * 50
    assert soak(flat, files, connections) == []
    leaking = [300.0 + 2 * n for n in range(50)]
    assert any("RSS grew" in failure for failure in soak(leaking, files, connections))
    assert any("open files" in failure for failure in soak(flat, [40.0 + n for n in range(50)], connections))
    assert any("database" in failure for failure in soak(flat, files, [10.0 + n for n in range(50)]))
    assert soak(flat, files, connections, errors=0.02) == ["2.00% of requests failed"]
    assert bench_load.soak_failures({"growth": {}, "error_rate": 0.0}) == ["too few samples"]


def test_idle_clients_spread_over_addresses_within_the_per_address_limit() -> None:
    addresses = [idle.address(n) for n in range(10_000)]
    per_address = {a: addresses.count(a) for a in set(addresses)}
    assert max(per_address.values()) == idle.PER_ADDRESS
    assert all(a.startswith("127.2.") and a != "127.0.0.1" for a in per_address)
