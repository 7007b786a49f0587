"""The OpenAI adapter through the real `openai` client against a local OpenAI-compatible server."""

import json
import socket
import time
from collections.abc import AsyncIterator

import pytest

from mnp_chatbot.llm.exceptions import FailureReason, LlmFailure
from mnp_chatbot.llm.openai import (
    BreakerState,
    CircuitBreaker,
    Limits,
    OpenAIChatModel,
    OpenAIEmbedder,
    open_client,
)
from mnp_chatbot.llm.protocols import PromptMessage
from tests.fixtures.openai_server import QUOTA_BODY, RATE_LIMIT_BODY, FakeOpenAI, Script
from tests.llm.support import FAST

MESSAGES = [PromptMessage("system", "テスト用の指示です。"), PromptMessage("user", "予約番号とは？")]


async def collect(model: OpenAIChatModel) -> list[str]:
    return [delta async for delta in model.stream(MESSAGES)]


async def failure_of(model: OpenAIChatModel) -> tuple[LlmFailure, list[str]]:
    """The failure the stream ends with, and the deltas that came before it."""
    received: list[str] = []
    try:
        async for delta in model.stream(MESSAGES):
            received.append(delta)
    except LlmFailure as failure:
        return failure, received
    raise AssertionError(f"the stream ended without a failure after {received!r}")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def breaking_model(openai_server: FakeOpenAI) -> AsyncIterator[tuple[OpenAIChatModel, FakeClock]]:
    clock = FakeClock()
    client = open_client(api_key="sk-test", base_url=openai_server.url)
    limits = Limits(first_token_timeout=0.5, total_timeout=2.0, max_attempts=1)
    breaker = CircuitBreaker(threshold=2, cooldown=30.0, clock=clock)
    model = OpenAIChatModel(client, model="gpt-test", max_tokens=64, limits=limits, breaker=breaker)
    yield model, clock
    await model.close()


class TestStreaming:
    async def test_yields_the_servers_deltas_in_order(
        self, chat_model: OpenAIChatModel, openai_server: FakeOpenAI
    ) -> None:
        openai_server.script(Script(chunks=["予約番号は", "乗り換えに", "必要です。"]))
        assert await collect(chat_model) == ["予約番号は", "乗り換えに", "必要です。"]

    async def test_sends_model_limit_stream_flag_and_messages(
        self, chat_model: OpenAIChatModel, openai_server: FakeOpenAI
    ) -> None:
        await collect(chat_model)
        (request,) = openai_server.chat_requests()
        assert request.body["model"] == "gpt-test"
        assert request.body["max_tokens"] == 256
        assert request.body["stream"] is True
        assert [m["role"] for m in request.messages] == ["system", "user"]
        assert request.messages[1]["content"] == "予約番号とは？"
        assert request.headers["authorization"] == "Bearer sk-test"

    async def test_first_delta_arrives_before_the_rest_of_a_slow_stream(
        self, chat_model: OpenAIChatModel, openai_server: FakeOpenAI
    ) -> None:
        openai_server.script(Script(chunks=["はい", "、", "そうです", "。"], chunk_delay=0.15))
        started = time.perf_counter()
        stream = chat_model.stream(MESSAGES)
        first = await anext(stream)
        first_at = time.perf_counter() - started
        rest = [delta async for delta in stream]
        assert first == "はい"
        assert rest == ["、", "そうです", "。"]
        assert first_at < 0.3 < time.perf_counter() - started


class TestRateLimits:
    @pytest.mark.parametrize(
        ("body", "reason"),
        [(QUOTA_BODY, FailureReason.QUOTA), (RATE_LIMIT_BODY, FailureReason.RATE_LIMITED)],
    )
    async def test_a_429_fails_at_once_without_a_retry(
        self,
        chat_model: OpenAIChatModel,
        openai_server: FakeOpenAI,
        body: dict[str, object],
        reason: FailureReason,
    ) -> None:
        openai_server.script(Script(status=429, body=body))
        failure, received = await failure_of(chat_model)
        assert failure.reason is reason
        assert received == []
        assert len(openai_server.chat_requests()) == 1

    async def test_a_short_retry_after_is_waited_for_then_retried(
        self, chat_model: OpenAIChatModel, openai_server: FakeOpenAI
    ) -> None:
        limited = Script(status=429, body=RATE_LIMIT_BODY, headers={"Retry-After": "0.3"})
        openai_server.script(limited, Script(text="待ってから答えます。"))
        assert "".join(await collect(chat_model)) == "待ってから答えます。"
        first, second = openai_server.chat_requests()
        assert second.received_at - first.received_at >= 0.3

    @pytest.mark.parametrize("header", [{"Retry-After": "60"}, {"retry-after-ms": "60000"}])
    async def test_a_retry_after_longer_than_the_customer_can_wait_is_not_waited_for(
        self, chat_model: OpenAIChatModel, openai_server: FakeOpenAI, header: dict[str, str]
    ) -> None:
        openai_server.reset(Script(status=429, body=RATE_LIMIT_BODY, headers=header))
        started = time.perf_counter()
        failure, _ = await failure_of(chat_model)
        assert failure.reason is FailureReason.RATE_LIMITED
        assert failure.retry_after == 60
        assert time.perf_counter() - started < 1.0
        assert len(openai_server.chat_requests()) == 1

    async def test_quota_is_not_retried_whatever_its_retry_after(
        self, chat_model: OpenAIChatModel, openai_server: FakeOpenAI
    ) -> None:
        openai_server.reset(Script(status=429, body=QUOTA_BODY, headers={"Retry-After": "0"}))
        failure, _ = await failure_of(chat_model)
        assert failure.reason is FailureReason.QUOTA
        assert len(openai_server.chat_requests()) == 1


def sse(data: object) -> bytes:
    return f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n".encode()


DONE = b"data: [DONE]\n\n"
GOOD = {"id": "x", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "途中"}}]}
MALFORMED = {
    "invalid JSON": Script(raw=sse("{not json") + DONE),
    "invalid JSON after text": Script(raw=sse(GOOD) + sse("{not json") + DONE),
    "choices not a list": Script(raw=sse({"id": "x", "choices": "oops"}) + DONE),
    "delta missing": Script(raw=sse({"id": "x", "choices": [{"index": 0}]}) + DONE),
    "content not text": Script(
        raw=sse({"id": "x", "choices": [{"index": 0, "delta": {"content": 5}}]}) + DONE
    ),
    "a list, not an object": Script(raw=sse("[1, 2]") + DONE),
    "HTML with 200": Script(raw=b"<html>Bad gateway</html>", content_type="text/html"),
    "a whole completion, not a stream": Script(
        raw=json.dumps({"id": "x", "choices": [{"message": {"content": "はい"}}]}).encode(),
        content_type="application/json",
    ),
    "an empty body": Script(raw=b"", content_type="application/json"),
}


class TestMalformedResponses:
    @pytest.mark.parametrize("script", MALFORMED.values(), ids=MALFORMED.keys())
    async def test_a_malformed_response_is_a_failure_the_breaker_counts(
        self, openai_server: FakeOpenAI, breaking_model: tuple[OpenAIChatModel, FakeClock], script: Script
    ) -> None:
        model, _ = breaking_model
        openai_server.reset(script)
        for _ in range(model.breaker.threshold):
            failure, received = await failure_of(model)
            assert failure.reason is FailureReason.MALFORMED
            assert all(isinstance(text, str) for text in received)
        assert model.breaker.state is BreakerState.OPEN
        assert len(openai_server.chat_requests()) == model.breaker.threshold  # not retried


class TestRetries:
    async def test_recovers_when_a_retry_succeeds_after_server_errors(
        self, chat_model: OpenAIChatModel, openai_server: FakeOpenAI
    ) -> None:
        openai_server.script(Script(status=500), Script(status=503), Script(text="三度目で答えます。"))
        assert "".join(await collect(chat_model)) == "三度目で答えます。"
        assert len(openai_server.chat_requests()) == 3

    @pytest.mark.parametrize("status", [500, 502, 503])
    async def test_gives_up_after_the_attempt_budget_on_server_errors(
        self, chat_model: OpenAIChatModel, openai_server: FakeOpenAI, status: int
    ) -> None:
        openai_server.reset(Script(status=status))
        failure, _ = await failure_of(chat_model)
        assert failure.reason is FailureReason.SERVER_ERROR
        assert len(openai_server.chat_requests()) == FAST.max_attempts

    async def test_a_bad_request_is_not_retried(
        self, chat_model: OpenAIChatModel, openai_server: FakeOpenAI
    ) -> None:
        openai_server.reset(Script(status=400, body={"error": {"message": "bad", "code": "invalid"}}))
        failure, _ = await failure_of(chat_model)
        assert failure.reason is FailureReason.REJECTED
        assert len(openai_server.chat_requests()) == 1

    async def test_a_refused_connection_is_retried_then_reported(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        client = open_client(api_key="sk-test", base_url=f"http://127.0.0.1:{port}/v1")
        model = OpenAIChatModel(client, model="gpt-test", max_tokens=8, limits=FAST)
        try:
            failure, _ = await failure_of(model)
        finally:
            await model.close()
        assert failure.reason is FailureReason.CONNECTION


class TestDeadlines:
    async def test_a_hanging_server_times_out_after_bounded_attempts(
        self, openai_server: FakeOpenAI, chat_model: OpenAIChatModel
    ) -> None:
        openai_server.reset(Script(hang=True))
        started = time.perf_counter()
        failure, _ = await failure_of(chat_model)
        elapsed = time.perf_counter() - started
        assert failure.reason is FailureReason.TIMEOUT
        assert len(openai_server.chat_requests()) == FAST.max_attempts
        assert FAST.first_token_timeout * FAST.max_attempts <= elapsed < FAST.total_timeout

    async def test_a_first_token_later_than_its_deadline_is_a_timeout(
        self, openai_server: FakeOpenAI, chat_model: OpenAIChatModel
    ) -> None:
        openai_server.reset(Script(text="遅い答えです。", first_token_delay=0.8))
        failure, received = await failure_of(chat_model)
        assert failure.reason is FailureReason.TIMEOUT
        assert received == []

    async def test_the_total_deadline_cuts_a_stream_that_has_started(self, openai_server: FakeOpenAI) -> None:
        openai_server.script(Script(chunks=["はじめに", "ゆっくり", "話します"], chunk_delay=0.5))
        client = open_client(api_key="sk-test", base_url=openai_server.url)
        limits = Limits(first_token_timeout=1.0, total_timeout=0.7, max_attempts=1)
        model = OpenAIChatModel(client, model="gpt-test", max_tokens=8, limits=limits)
        try:
            failure, received = await failure_of(model)
        finally:
            await model.close()
        assert failure.reason is FailureReason.TIMEOUT
        assert received == ["はじめに", "ゆっくり"]
        assert len(openai_server.chat_requests()) == 1

    async def test_a_stream_dropped_after_text_went_out_is_not_retried(
        self, openai_server: FakeOpenAI, chat_model: OpenAIChatModel
    ) -> None:
        openai_server.script(Script(chunks=["途中まで", "送って", "切れます"], drop_after=1))
        failure, received = await failure_of(chat_model)
        assert failure.reason is FailureReason.CONNECTION
        assert received == ["途中まで"]
        assert len(openai_server.chat_requests()) == 1

    async def test_a_stream_that_stalls_after_text_is_cut_before_the_total_deadline(
        self, openai_server: FakeOpenAI
    ) -> None:
        openai_server.script(Script(chunks=["はじめに", "止まります"], chunk_delay=5.0))
        client = open_client(api_key="sk-test", base_url=openai_server.url)
        limits = Limits(first_token_timeout=0.5, total_timeout=4.0, max_attempts=1)
        model = OpenAIChatModel(client, model="gpt-test", max_tokens=8, limits=limits)
        started = time.perf_counter()
        try:
            failure, received = await failure_of(model)
        finally:
            await model.close()
        assert failure.reason is FailureReason.TIMEOUT
        assert received == ["はじめに"]
        assert time.perf_counter() - started < 2.0

    async def test_an_empty_answer_is_a_failure(
        self, openai_server: FakeOpenAI, chat_model: OpenAIChatModel
    ) -> None:
        openai_server.script(Script(chunks=[]))
        failure, _ = await failure_of(chat_model)
        assert failure.reason is FailureReason.EMPTY


class TestCircuitBreaker:
    async def test_opens_after_consecutive_failures_and_stops_calling(
        self, breaking_model: tuple[OpenAIChatModel, FakeClock], openai_server: FakeOpenAI
    ) -> None:
        model, _ = breaking_model
        openai_server.reset(Script(status=503))
        for _ in range(2):
            await failure_of(model)
        failure, _ = await failure_of(model)
        assert failure.reason is FailureReason.CIRCUIT_OPEN
        assert len(openai_server.chat_requests()) == 2
        assert model.breaker.state is BreakerState.OPEN

    async def test_lets_one_trial_through_after_the_cooldown_and_closes_on_success(
        self, breaking_model: tuple[OpenAIChatModel, FakeClock], openai_server: FakeOpenAI
    ) -> None:
        model, clock = breaking_model
        openai_server.script(Script(status=503), Script(status=503))
        for _ in range(2):
            await failure_of(model)
        clock.now += 31.0
        assert model.breaker.state is BreakerState.HALF_OPEN
        assert "".join(await collect(model)) == "はい。"
        assert model.breaker.state.value == "closed"

    def test_a_failed_trial_opens_the_breaker_again(self) -> None:
        clock = FakeClock()
        breaker = CircuitBreaker(threshold=1, cooldown=10.0, clock=clock)
        breaker.failed()
        clock.now += 10.0
        assert breaker.allows()
        assert not breaker.allows()  # only one trial at a time
        breaker.failed()
        assert breaker.state is BreakerState.OPEN

    def test_a_success_resets_the_count_of_consecutive_failures(self) -> None:
        breaker = CircuitBreaker(threshold=2, cooldown=10.0, clock=FakeClock())
        breaker.failed()
        breaker.succeeded()
        breaker.failed()
        assert breaker.state is BreakerState.CLOSED


class TestEmbedder:
    async def test_returns_one_vector_per_text_in_order(self, openai_server: FakeOpenAI) -> None:
        client = open_client(api_key="sk-test", base_url=openai_server.url)
        embedder = OpenAIEmbedder(client, model="text-embedding-test", dimensions=16)
        try:
            vectors = await embedder.embed(["予約番号", "ワンストップ"])
        finally:
            await client.close()
        assert len(vectors) == 2
        assert [len(v) for v in vectors] == [16, 16]
        assert vectors[0] != vectors[1]
        assert openai_server.requests[-1].body["dimensions"] == 16
        assert openai_server.requests[-1].body["input"] == ["予約番号", "ワンストップ"]

    async def test_a_server_error_becomes_an_llm_failure(self, openai_server: FakeOpenAI) -> None:
        openai_server.script_embeddings(Script(status=503))
        client = open_client(api_key="sk-test", base_url=openai_server.url)
        try:
            with pytest.raises(LlmFailure) as raised:
                await OpenAIEmbedder(client, model="text-embedding-test", dimensions=16).embed(["予約番号"])
        finally:
            await client.close()
        assert raised.value.reason is FailureReason.SERVER_ERROR
