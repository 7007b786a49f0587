"""The only module that speaks to the LINE platform, through line-bot-sdk's async client.

    reply(token, messages) ── one attempt, never retried: a reply token is single-use, and a 5xx leaves
                              it unknown whether the reply was shown ─→ DELIVERED | REFUSED | UNCERTAIN
    push(to, messages, key) ─ 5xx, 429 and timeouts retried with capped, jittered exponential backoff
                              (Retry-After honoured) and the same X-Line-Retry-Key; 409 means a previous
                              attempt with the key was accepted ─→ DELIVERED | FAILED
    show_loading(chat_id)  ── best effort, one attempt

Vendor errors stay here: callers see only `Delivery`.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from mnp_chatbot.core.logging import get_logger

log = get_logger(__name__)
OFFICIAL_API = "https://api.line.me"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
ALREADY_ACCEPTED = 409
MAX_RETRY_AFTER_SECONDS = 60.0


class Delivery(StrEnum):
    DELIVERED = "delivered"
    REFUSED = "refused"  # a 4xx: the reply token was invalid or used, or the request was rejected
    UNCERTAIN = "uncertain"  # a 5xx or timeout on reply: maybe shown, maybe not
    FAILED = "failed"  # push attempts exhausted, or refused with a 4xx


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    timeout: float = 10.0  # seconds for one request

    def delay(self, attempt: int, retry_after: float | None, jitter: float) -> float:
        """Full jitter over a capped exponential, or the server's Retry-After when it names one."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_SECONDS)
        return float(jitter * min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1)))


@dataclass(frozen=True, slots=True)
class Failure:
    status: int | None  # None: no answer (timeout or connection error)
    retry_after: float | None = None


class LineClient:
    def __init__(
        self,
        *,
        access_token: str,
        base_url: str = OFFICIAL_API,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        configuration = Configuration(access_token=access_token, host=base_url.rstrip("/"))
        self._client = AsyncApiClient(configuration)
        self._api = AsyncMessagingApi(self._client)
        self.policy = policy
        self._sleep = sleep
        self._jitter = jitter

    async def close(self) -> None:
        await self._client.close()

    async def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> Delivery:
        request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": list(messages)})
        failure = await self._call(lambda: self._api.reply_message(request, _request_timeout=self._timeout()))
        if failure is None:
            return Delivery.DELIVERED
        log.info("line.reply.failed", status=failure.status)
        if failure.status is None or failure.status >= 500:
            return Delivery.UNCERTAIN
        return Delivery.REFUSED

    async def push(self, to: str, messages: Sequence[dict[str, Any]], *, retry_key: str) -> Delivery:
        request = PushMessageRequest.from_dict({"to": to, "messages": list(messages)})
        for attempt in range(1, self.policy.attempts + 1):
            failure = await self._call(
                lambda: self._api.push_message(
                    request, x_line_retry_key=retry_key, _request_timeout=self._timeout()
                )
            )
            if failure is None or failure.status == ALREADY_ACCEPTED:
                return Delivery.DELIVERED
            retryable = failure.status is None or failure.status in RETRYABLE_STATUS
            log.info("line.push.failed", status=failure.status, attempt=attempt, retryable=retryable)
            if not retryable or attempt == self.policy.attempts:
                return Delivery.FAILED
            await self._sleep(self.policy.delay(attempt, failure.retry_after, self._jitter()))
        return Delivery.FAILED

    async def show_loading(self, chat_id: str, *, seconds: int) -> bool:
        request = ShowLoadingAnimationRequest.from_dict({"chatId": chat_id, "loadingSeconds": seconds})
        failure = await self._call(
            lambda: self._api.show_loading_animation(request, _request_timeout=self._timeout())
        )
        return failure is None

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self.policy.timeout)

    async def _call(self, send: Callable[[], Awaitable[object]]) -> Failure | None:
        try:
            await send()
        except ApiException as error:
            return Failure(error.status, _retry_after(error.headers))
        except (TimeoutError, aiohttp.ClientError):
            return Failure(None)
        except ValueError:  # a 2xx whose body the SDK could not read: LINE accepted the request
            log.warning("line.response.unreadable")
        return None


def _retry_after(headers: Any) -> float | None:
    if not headers:
        return None
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
