from enum import StrEnum

from mnp_chatbot.core.errors import UpstreamUnavailable


class FailureReason(StrEnum):
    """The `reason` label of the `llm_failures_total` metric."""

    RATE_LIMITED = "rate_limited"
    QUOTA = "quota"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    CIRCUIT_OPEN = "circuit_open"
    REJECTED = "rejected"  # 4xx other than 429: bad request, authentication, unknown model
    STREAM_ERROR = "stream_error"
    MALFORMED = "malformed"  # a 200 that is not a completion stream: bad JSON, missing fields, wrong type
    EMPTY = "empty"
    GUARD = "guard"
    ERROR = "error"


class LlmFailure(UpstreamUnavailable):
    """The model gave no usable answer; the caller falls back to the curated reply."""

    code = "llm_unavailable"
    default_message = "回答生成サービスを利用できません。"

    def __init__(
        self, reason: FailureReason, *, retryable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__()
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after  # the provider's own pause before a retry (Retry-After), seconds
