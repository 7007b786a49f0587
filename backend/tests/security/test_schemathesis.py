"""Property-based API fuzzing with schemathesis against the served app's own OpenAPI schema
(security.md test 45): no 5xx, every status documented, bodies and content types as the schema says."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.core.config import Settings
from tests.auth.support import Account, create_account
from tests.fixtures.app import SettingsFactory
from tests.fixtures.server import ServerThread

EXAMPLES_PER_OPERATION = 20
SKIPPED = {
    ("POST", "/api/auth/logout"),  # would end the fuzzer's own sign-in
    ("GET", "/metrics"),  # Prometheus text, not part of the JSON API
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(
        RATE_LIMIT_MAX_REQUESTS=1_000_000,
        CHAT_RATE_LIMIT_PER_SESSION=1_000_000,
        CHAT_RATE_LIMIT_PER_ADDRESS=1_000_000,
        CONSOLE_RATE_LIMIT_MAX_REQUESTS=1_000_000,
        AUTH_RATE_LIMIT_MAX=1_000_000,
    )


@pytest.fixture
async def admin(db: async_sessionmaker[AsyncSession]) -> Account:
    return await create_account(db, "admin")


@pytest.fixture
def served(fuzz_settings: Settings, admin: Account) -> Iterator[tuple[ServerThread, dict[str, str]]]:
    with ServerThread(fuzz_settings) as server:
        login = httpx.post(
            f"{server.url}/api/auth/login", json={"email": admin.email, "password": admin.password}
        )
        assert login.status_code == 200, login.text
        yield server, {"Authorization": f"Bearer {login.json()['accessToken']}"}


def fuzz(operation: Any, base_url: str, headers: dict[str, str]) -> Callable[[], None]:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=20)
        case.validate_response(response, checks=CHECKS)

    return run


def test_every_operation_survives_generated_input(
    served: tuple[ServerThread, dict[str, str]], record_property: Any
) -> None:
    server, headers = served
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    started = dt.datetime.now(dt.UTC)
    covered, failures = [], {}
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        name = f"{operation.method.upper()} {operation.path}"
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        covered.append(name)
        try:
            fuzz(operation, server.url, headers)()
        except (Exception, BaseExceptionGroup) as error:  # fuzz every operation, report all failures
            failures[name] = f"{type(error).__name__}: {str(error)[:600]}"
    record_property("operations_fuzzed", len(covered))
    record_property("seconds", round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1))
    assert not failures, "\n\n".join(f"{name}: {detail}" for name, detail in failures.items())
    assert {
        "POST /api/chat",
        "POST /api/auth/login",
        "GET /api/admin/audit-logs",
        "DELETE /api/sessions/{session_id}",
    } <= set(covered)
