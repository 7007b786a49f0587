"""Prometheus metrics of the HTTP layer and of the chat engine (default registry, with process metrics)."""

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CHAT_REPLIES = Counter("chat_replies_total", "Chat replies by answer mode.", ["mode", "channel"])
CHAT_LATENCY = Histogram(
    "chat_reply_duration_seconds",
    "Time to compose a chat reply.",
    ["mode"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
LLM_FAILURES = Counter("llm_failures_total", "LLM calls that fell back to the curated answer.", ["reason"])
