"""The adapter over `AsyncOpenAI` (any OpenAI-compatible server): the only module that imports `openai`.

    stream(messages)
      ├─ circuit open ─────────────────────────────────────→ LlmFailure(circuit_open)
      └─ attempt ─┬─ 429 quota ────────────────────────────→ LlmFailure(quota), no retry
                  ├─ 429 Retry-After ≤ 2 s, time left ─────→ wait as asked, retry
                  ├─ 429 otherwise ────────────────────────→ LlmFailure(rate_limited), no retry, no wait
                  ├─ 5xx, timeout, connection error ───────→ back off, retry while attempts and time remain
                  ├─ other 4xx ────────────────────────────→ LlmFailure(rejected), no retry
                  ├─ 200 that is no completion stream ─────→ LlmFailure(malformed), no retry
                  └─ first delta ──→ the deltas until the total deadline (and no pause between two longer
                                     than the first-token timeout); a later failure is not retried, since
                                     text has already gone out

Every failure counts towards the circuit breaker, a malformed response included. The SDK's own retries are
off (`max_retries=0`): the deadlines and the retry budget are ours. The whole call ends within
`TOTAL_TIMEOUT` (15 s), so that the curated fallback reaches a customer before the chat page's own 20 s
acknowledgement timeout gives up on the turn. With a `SharedBreaker` (llm/breaker.py, Redis) the breaker's
state is shared by every replica; the local `CircuitBreaker` decides while Redis cannot be read.
"""

import asyncio
import contextlib
import email.utils
import random
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias

import openai
from openai import AsyncOpenAI, AsyncStream
from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionChunk,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)

from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.llm.breaker import SharedBreaker
from mnp_chatbot.llm.exceptions import FailureReason, LlmFailure
from mnp_chatbot.llm.protocols import PromptMessage

log = get_logger(__name__)
QUOTA_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached"})
TOTAL_TIMEOUT = 15.0  # below the chat page's 20 s acknowledgement timeout (frontend/src/chat/useChat.ts)
MAX_RETRY_AFTER = 2.0  # a rate limit asking for a longer pause is not waited for: the customer is waiting
# What a response that is not the completion stream it claims to be raises inside the SDK's decoding
MALFORMED_ERRORS = (ValueError, TypeError, AttributeError, LookupError)

Sleep: TypeAlias = Callable[[float], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class Limits:
    first_token_timeout: float = 6.0  # per attempt: request sent → first text delta; also the longest pause
    # between two chunks of a stream that has started
    total_timeout: float = TOTAL_TIMEOUT  # the whole call, retries included
    max_attempts: int = 3
    backoff_initial: float = 0.2  # seconds before the second attempt, doubled after each failure
    backoff_max: float = 2.0


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `cooldown` seconds one trial call goes through."""

    def __init__(
        self, *, threshold: int = 5, cooldown: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return BreakerState.CLOSED
        cooled = self.clock() - self.opened_at >= self.cooldown
        return BreakerState.HALF_OPEN if cooled else BreakerState.OPEN

    def allows(self) -> bool:
        state = self.state
        if state is BreakerState.HALF_OPEN:
            self.opened_at = self.clock()  # re-armed: only this trial goes through until it reports
        return state is not BreakerState.OPEN

    def succeeded(self) -> None:
        self.failures = 0
        self.opened_at = None

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = self.clock()


def failure_of(error: openai.OpenAIError) -> LlmFailure:
    """Our failure for a vendor error; only transient ones before the first token are worth a retry."""
    if isinstance(error, openai.RateLimitError):
        quota = _error_code(error.body) in QUOTA_CODES or _error_code(error.body, "type") in QUOTA_CODES
        if quota:
            return LlmFailure(FailureReason.QUOTA)
        pause = retry_after(error.response.headers)
        short = pause is not None and pause <= MAX_RETRY_AFTER
        return LlmFailure(FailureReason.RATE_LIMITED, retryable=short, retry_after=pause)
    if isinstance(error, openai.APITimeoutError):
        return LlmFailure(FailureReason.TIMEOUT, retryable=True)
    if isinstance(error, openai.APIConnectionError):
        return LlmFailure(FailureReason.CONNECTION, retryable=True)
    if isinstance(error, openai.APIStatusError):
        if error.status_code >= 500:
            return LlmFailure(FailureReason.SERVER_ERROR, retryable=True)
        return LlmFailure(FailureReason.REJECTED)
    if isinstance(error, openai.APIError):
        return LlmFailure(FailureReason.STREAM_ERROR)
    return LlmFailure(FailureReason.ERROR)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The pause a 429 asks for, in seconds (`retry-after-ms`, or `Retry-After` in seconds or as a date)."""
    with contextlib.suppress(KeyError, ValueError):
        return max(0.0, float(headers["retry-after-ms"]) / 1000)
    value = headers.get("retry-after")
    if value is None:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    with contextlib.suppress(TypeError, ValueError, IndexError):
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    return None


def _error_code(body: object, key: str = "code") -> str | None:
    if isinstance(body, dict):
        inner = body.get("error", body)
        value = inner.get(key) if isinstance(inner, dict) else None
        return value if isinstance(value, str) else None
    return None


def message_param(message: PromptMessage) -> ChatCompletionMessageParam:
    if message.role == "system":
        return ChatCompletionSystemMessageParam(role="system", content=message.content)
    if message.role == "assistant":
        return ChatCompletionAssistantMessageParam(role="assistant", content=message.content)
    return ChatCompletionUserMessageParam(role="user", content=message.content)


def delta_text(chunk: ChatCompletionChunk) -> str:
    """The text of a chunk; a chunk that breaks the format raises ValueError (or what its access raises)."""
    if not chunk.choices:
        return ""
    content = chunk.choices[0].delta.content
    if content is not None and not isinstance(content, str):
        raise ValueError("the delta's content is not text")
    return content or ""


def malformed(error: BaseException) -> LlmFailure:
    log.warning("llm.malformed_response", error=type(error).__name__)
    return LlmFailure(FailureReason.MALFORMED)


Client = AsyncOpenAI  # one per process, shared by the chat model and the embedder


def open_client(*, api_key: str, base_url: str | None, timeout: float = TOTAL_TIMEOUT) -> AsyncOpenAI:
    """One client for the process; the SDK retries nothing, our adapter decides."""
    return AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout)


class OpenAIChatModel:
    def __init__(
        self,
        client: AsyncOpenAI,
        *,
        model: str,
        max_tokens: int,
        limits: Limits = Limits(),
        breaker: CircuitBreaker | None = None,
        shared: SharedBreaker | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.completions = client.chat.completions  # the SDK builds resources lazily: not on the first turn
        self.name = model
        self.max_tokens = max_tokens
        self.limits = limits
        self.breaker = breaker or CircuitBreaker()
        self.shared = shared
        self.sleep = sleep

    async def stream(self, messages: Sequence[PromptMessage]) -> AsyncIterator[str]:
        if not await self._allows():
            raise LlmFailure(FailureReason.CIRCUIT_OPEN)
        deadline = asyncio.get_running_loop().time() + self.limits.total_timeout
        try:
            completion, first = await self._first_delta(messages, deadline)
        except LlmFailure as failure:
            await self._failed(failure)
            raise
        # The call succeeded only when its stream did: a provider that always breaks off mid-stream must
        # open the breaker. The consumer closing the stream early (GeneratorExit) is no fault of the provider.
        succeeded = True
        try:
            yield first
            async for text in self._rest(completion, deadline):
                yield text
        except GeneratorExit:
            raise
        except BaseException:
            succeeded = False  # _rest counted its failure; a cancellation is no verdict either way
            raise
        finally:
            await completion.close()
            if succeeded:
                await self._succeeded()

    async def _rest(
        self, completion: AsyncStream[ChatCompletionChunk], deadline: float
    ) -> AsyncIterator[str]:
        while True:
            idle_by = min(deadline, asyncio.get_running_loop().time() + self.limits.first_token_timeout)
            try:
                async with asyncio.timeout_at(idle_by):
                    chunk = await anext(completion, None)
                if chunk is None:
                    return
                text = delta_text(chunk)
            except openai.OpenAIError as error:
                raise await self._failed(failure_of(error)) from error
            except TimeoutError as error:
                raise await self._failed(LlmFailure(FailureReason.TIMEOUT)) from error
            except MALFORMED_ERRORS as error:
                raise await self._failed(malformed(error)) from error
            if text:
                yield text

    async def _first_delta(
        self, messages: Sequence[PromptMessage], deadline: float
    ) -> tuple[AsyncStream[ChatCompletionChunk], str]:
        loop = asyncio.get_running_loop()
        for attempt in range(1, self.limits.max_attempts + 1):
            try:
                return await self._attempt(messages, deadline)
            except LlmFailure as failure:
                pause = failure.retry_after if failure.retry_after is not None else self._backoff(attempt)
                last = attempt == self.limits.max_attempts or loop.time() + pause >= deadline
                if not failure.retryable or last:
                    raise
                log.info("llm.retry", attempt=attempt, reason=failure.reason.value, pause_s=round(pause, 3))
                await self.sleep(pause)
        raise LlmFailure(FailureReason.ERROR)  # unreachable with max_attempts >= 1

    async def _attempt(
        self, messages: Sequence[PromptMessage], deadline: float
    ) -> tuple[AsyncStream[ChatCompletionChunk], str]:
        first_by = min(deadline, asyncio.get_running_loop().time() + self.limits.first_token_timeout)
        completion: AsyncStream[ChatCompletionChunk] | None = None
        try:
            async with asyncio.timeout_at(first_by):
                completion = await self._create(messages)
                media_type = completion.response.headers.get("content-type", "")
                if not media_type.startswith("text/event-stream"):
                    raise ValueError("the response is not an event stream")
                while (chunk := await anext(completion, None)) is not None:
                    text = delta_text(chunk)
                    if text:
                        return completion, text
            raise LlmFailure(FailureReason.EMPTY)
        except BaseException as error:
            if completion is not None:
                await completion.close()
            if isinstance(error, openai.OpenAIError):
                raise failure_of(error) from error
            if isinstance(error, TimeoutError):
                raise LlmFailure(FailureReason.TIMEOUT, retryable=True) from error
            if isinstance(error, MALFORMED_ERRORS):
                raise malformed(error) from error
            raise

    async def _create(self, messages: Sequence[PromptMessage]) -> AsyncStream[ChatCompletionChunk]:
        return await self.completions.create(
            model=self.name,
            messages=[message_param(message) for message in messages],
            max_tokens=self.max_tokens,
            stream=True,
        )

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.limits.backoff_max, self.limits.backoff_initial * 2.0 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)

    async def _allows(self) -> bool:
        if self.shared is not None:
            verdict = await self.shared.allows()
            if verdict is not None:
                return verdict
        return self.breaker.allows()

    async def _succeeded(self) -> None:
        self.breaker.succeeded()
        if self.shared is not None:
            await self.shared.succeeded()

    async def _failed(self, failure: LlmFailure) -> LlmFailure:
        self.breaker.failed()
        breaker = self.breaker.state.value
        if self.shared is not None:
            await self.shared.failed()
            breaker = "open" if await self.shared.is_open() else breaker
        log.warning("llm.failed", model=self.name, reason=failure.reason.value, breaker=breaker)
        return failure

    async def close(self) -> None:
        await self.client.close()


class OpenAIEmbedder:
    def __init__(self, client: AsyncOpenAI, *, model: str, dimensions: int, timeout: float = 10.0) -> None:
        self.client = client
        self.model = model
        self.dimensions = dimensions
        self.timeout = timeout

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.client.embeddings.create(
                    model=self.model, input=list(texts), dimensions=self.dimensions
                )
        except openai.OpenAIError as error:
            raise failure_of(error) from error
        except TimeoutError as error:
            raise LlmFailure(FailureReason.TIMEOUT) from error
        return [list(item.embedding) for item in sorted(response.data, key=lambda item: item.index)]
