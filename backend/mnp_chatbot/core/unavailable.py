"""Which unexpected exceptions mean "a backing service is down or too slow" rather than a bug.

PostgreSQL stopped, restarting or stalled, or Redis gone, surface as driver errors and timeouts in whatever
code was talking to them. They become 503 `service_unavailable` in the stable error shape (HTTP and
socket.io alike), so that clients and LINE retry later, instead of a 500 that says the request was wrong.
"""

import asyncpg
import sqlalchemy.exc
from limits.errors import StorageError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.responses import JSONResponse

from mnp_chatbot.core.errors import UpstreamUnavailable
from mnp_chatbot.core.logging import get_logger

log = get_logger(__name__)

UNAVAILABLE: tuple[type[BaseException], ...] = (
    TimeoutError,  # asyncio's and asyncpg's command timeouts
    ConnectionError,  # refused, reset
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # e.g. the connection closed under a statement
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,  # no free connection in the pool in time
    RedisConnectionError,
    RedisTimeoutError,
    StorageError,
)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error`, or an exception it was raised from, says a backing service is unavailable."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UNAVAILABLE):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, OSError) and _raised_by_a_driver(current):
            return True  # e.g. the database's Unix socket is gone while it restarts
        current = current.__cause__ or current.__context__
    return False


class ServiceUnavailable(UpstreamUnavailable):
    code = "service_unavailable"
    default_message = "ただいまサービスが混み合っています。しばらくしてからもう一度お試しください。"


def unavailable_response(error: BaseException) -> JSONResponse:
    """The 503 for an unavailable backing service, logged without the error's text (it may hold data)."""
    log.warning("http.dependency_unavailable", error=type(error).__name__)
    unavailable = ServiceUnavailable()
    return JSONResponse(unavailable.body(), status_code=unavailable.status_code, headers={"Retry-After": "5"})


DRIVERS = ("asyncpg", "redis", "sqlalchemy", "limits")


def _raised_by_a_driver(error: BaseException) -> bool:
    """Whether a database or Redis client library is on the way to where `error` was raised."""
    trace = error.__traceback__
    while trace is not None:
        module = str(trace.tb_frame.f_globals.get("__name__", ""))
        if module.split(".", 1)[0] in DRIVERS:
            return True
        trace = trace.tb_next
    return False
