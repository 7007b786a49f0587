"""Prometheus metrics of the hand-off."""

from prometheus_client import Counter, Gauge, Histogram

WAIT_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)

QUEUE_LENGTH = Gauge(
    "handoff_queue_length", "Hand-offs waiting for an operator (as last seen by this replica)."
)
REQUESTS = Counter(
    "handoff_requests_total",
    "Requests for a human, by reason, channel and outcome.",
    ["reason", "channel", "queued"],
)
WAIT = Histogram("handoff_wait_seconds", "Time from queueing to an operator's claim.", buckets=WAIT_BUCKETS)
FIRST_RESPONSE = Histogram(
    "handoff_first_response_seconds",
    "Time from queueing to the operator's first message.",
    buckets=WAIT_BUCKETS,
)
PER_OPERATOR = Counter("handoff_claims_total", "Conversations claimed, by operator id.", ["operator"])
RESOLVED = Counter("handoff_resolved_total", "Hand-offs resolved, by outcome.", ["outcome"])
RELEASED = Counter("handoff_released_total", "Hand-offs returned to the queue, by cause.", ["cause"])
ABANDONED = Counter("handoff_abandoned_total", "Waits that ended without an operator, by cause.", ["cause"])
