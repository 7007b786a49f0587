"""security.md test 50, its security point: every check that uses Redis keeps its promise while Redis is
killed or stalled (SIGSTOP). The checks, and the policy each one follows (SECURITY.md, "Without Redis"):

- request budgets (api, chat, console), core/ratelimit.py: in-process counters, still refused over budget;
- the console sign-in throttle, auth/throttle.py: in-process counters, still refused over budget;
- sign-out, revocation, refresh-token reuse, auth/service.py: not in Redis, PostgreSQL decides on every
  request;
- LINE redelivery and replay, channels/line: not in Redis (the package never touches it), a PostgreSQL
  unique constraint and the event's timestamp; tested in tests/channels/line.

So no check fails open, and none has to fail closed: each either has an in-process equivalent or never
depended on Redis. The budgets are per process while Redis is away (at most workers × budget in all), and
start afresh when it goes; that is the documented price of staying up. Each request here must also finish
well within its own deadline: a stalled Redis may cost its 0.5 s timeout, never a hang.
"""

import time
from collections.abc import AsyncIterator
from typing import Any, Literal

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.main import create_app
from tests.auth.support import Account, bearer, create_account, db, sign_in
from tests.fixtures.app import SettingsFactory
from tests.reliability.support import OwnRedis, is_unavailable_shape

__all__ = ["db"]

API_BUDGET = 5
LOGIN_BUDGET = 3
SLOWEST = 5.0  # seconds: a stalled Redis costs its short timeout per call, a few calls per request

Fault = Literal["killed", "stalled"]


@pytest.fixture
async def client(make_settings: SettingsFactory, own_redis: OwnRedis) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        REDIS_URL=own_redis.url,
        RATE_LIMIT_MAX_REQUESTS=API_BUDGET,
        AUTH_RATE_LIMIT_MAX=LOGIN_BUDGET,
        AUTH_ACCOUNT_RATE_LIMIT_MAX=100,
        CONSOLE_RATE_LIMIT_MAX_REQUESTS=1000,
    )
    async with LifespanManager(create_app(settings), startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as http:
            yield http


@pytest.fixture
async def account(db: async_sessionmaker[AsyncSession]) -> Account:
    return await create_account(db, "operator")


def break_redis(redis: OwnRedis, fault: Fault) -> None:
    if fault == "killed":
        redis.kill()
    else:
        redis.pause()


def heal_redis(redis: OwnRedis, fault: Fault) -> None:
    if fault == "killed":
        redis.start()
    else:
        redis.resume()


async def timed(call: Any) -> httpx.Response:
    started = time.monotonic()
    response: httpx.Response = await call
    assert time.monotonic() - started < SLOWEST
    assert response.status_code < 500 or is_unavailable_shape(response), response.text
    return response


def assert_refused(response: httpx.Response) -> None:
    """A 429 in the stable error shape that says how long to wait."""
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("fault", ["killed", "stalled"])
async def test_50_request_budgets_still_refuse_without_redis(
    client: httpx.AsyncClient, own_redis: OwnRedis, fault: Fault
) -> None:
    break_redis(own_redis, fault)
    try:
        for _ in range(API_BUDGET):
            assert (await timed(client.get("/api/carriers"))).status_code == 200
        assert_refused(await timed(client.get("/api/carriers")))
        assert_refused(await timed(client.get("/api/faqs")))  # the budget is the client's, not the path's
    finally:
        heal_redis(own_redis, fault)


@pytest.mark.parametrize("fault", ["killed", "stalled"])
async def test_50_the_sign_in_throttle_still_refuses_without_redis(
    client: httpx.AsyncClient, own_redis: OwnRedis, account: Account, fault: Fault
) -> None:
    wrong = {"email": account.email, "password": "まちがったパスワード-0000"}
    break_redis(own_redis, fault)
    try:
        for _ in range(LOGIN_BUDGET):
            assert (await timed(client.post("/api/auth/login", json=wrong))).status_code == 401
        assert_refused(await timed(client.post("/api/auth/login", json=wrong)))
        # The right password is refused too while throttled: a guesser learns nothing from the answer
        right = {"email": account.email, "password": account.password}
        assert_refused(await timed(client.post("/api/auth/login", json=right)))
    finally:
        heal_redis(own_redis, fault)


@pytest.mark.parametrize("fault", ["killed", "stalled"])
async def test_50_a_revoked_sign_in_stays_revoked_without_redis(
    client: httpx.AsyncClient, own_redis: OwnRedis, account: Account, fault: Fault
) -> None:
    signed_out = await sign_in(client, account)  # signed out while Redis is up
    assert (await client.post("/api/auth/logout", headers=bearer(signed_out))).status_code == 204
    later = await sign_in(client, account)  # signed out while Redis is away
    stolen = await sign_in(client, account)  # its refresh token used twice while Redis is away
    rotated = await client.post("/api/auth/refresh", json={"refreshToken": stolen["refreshToken"]})
    assert rotated.status_code == 200

    break_redis(own_redis, fault)
    try:
        me = await timed(client.get("/api/auth/me", headers=bearer(signed_out)))
        assert me.status_code == 401
        again = {"refreshToken": signed_out["refreshToken"]}
        assert (await timed(client.post("/api/auth/refresh", json=again))).status_code == 401

        assert (await timed(client.get("/api/auth/me", headers=bearer(later)))).status_code == 200
        assert (await timed(client.post("/api/auth/logout", headers=bearer(later)))).status_code == 204
        assert (await timed(client.get("/api/auth/me", headers=bearer(later)))).status_code == 401

        replay = {"refreshToken": stolen["refreshToken"]}  # reuse: the whole sign-in is revoked
        assert (await timed(client.post("/api/auth/refresh", json=replay))).status_code == 401
        fresh = rotated.json()
        assert (await timed(client.get("/api/auth/me", headers=bearer(fresh)))).status_code == 401
    finally:
        heal_redis(own_redis, fault)

    # Redis back: nothing it held (or lost) brings a revoked sign-in back
    for tokens in (signed_out, later, rotated.json()):
        assert (await timed(client.get("/api/auth/me", headers=bearer(tokens)))).status_code == 401
    assert (
        await client.get("/api/auth/me", headers=bearer(await sign_in(client, account)))
    ).status_code == 200
