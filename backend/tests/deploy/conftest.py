import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy import stack
from tests.deploy.tools import REPORT


@pytest.fixture(scope="module")
def running_stack() -> Iterator[stack.Stack]:
    """`scripts/stack.sh up` once for the module, `down` after it (MNP_TEST_STACK_DIR: a stack already up)."""
    reuse = os.environ.get("MNP_TEST_STACK_DIR")
    if reuse:
        yield stack.Stack(Path(reuse), "https://127.0.0.1:" + os.environ.get("STACK_HTTPS_PORT", "8443"))
        return
    reason = stack.nginx_missing_reason()
    if reason:
        print(f"SKIP: {reason}")  # noqa: T201 - the printed reason CI keeps
        pytest.skip(reason)
    state = Path(tempfile.mkdtemp(prefix="mnp-stack-"))
    try:
        yield stack.up(state)
    finally:
        stack.down(state)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What the container tests measured (image size, build and stop times)."""
    for line in REPORT:
        terminalreporter.write_line(f"deploy: {line}")
