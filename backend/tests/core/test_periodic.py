"""The background job both the hand-off sweep and the retention purge run on."""

import asyncio

from mnp_chatbot.core.periodic import Periodic


async def test_a_failing_run_is_counted_and_the_next_one_still_runs() -> None:
    runs: list[int] = []
    failures: list[int] = []

    async def job() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the first run fails")

    periodic = Periodic("test.job", job, interval=0.01, first_delay=0, on_failure=lambda: failures.append(1))
    periodic.start()
    try:
        async with asyncio.timeout(5):
            while len(runs) < 3:
                await asyncio.sleep(0.01)
    finally:
        await periodic.stop()
    assert failures == [1]
    assert not periodic.running
    done = len(runs)
    await asyncio.sleep(0.05)
    assert len(runs) == done  # stopped means no more runs


async def test_an_interval_of_zero_never_starts_and_the_first_run_waits() -> None:
    runs: list[int] = []

    async def job() -> None:
        runs.append(1)

    off = Periodic("test.off", job, interval=0)
    off.start()
    assert not off.running
    later = Periodic("test.later", job, interval=60)
    later.start()
    await asyncio.sleep(0.05)
    await later.stop()
    assert runs == []
