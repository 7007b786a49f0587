"""Live tests call the real, paid OpenAI API: skipped unless RUN_LIVE=1 (and OPENAI_API_KEY) are set."""

import os

import pytest


@pytest.fixture(autouse=True)
def _live_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("live") is None:
        return
    if os.environ.get("RUN_LIVE") != "1":
        pytest.skip("live test: set RUN_LIVE=1 to call the real API")
    if not os.environ.get("OPENAI_API_KEY"):
        pytest.skip("live test: OPENAI_API_KEY is not set")
