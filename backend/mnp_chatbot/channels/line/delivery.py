"""Sending an event's answer: the reply token while it is fresh, else a push with a retry key.

    fresh token (not a redelivery, event < REPLY_WINDOW old, no earlier attempt used it)
        └─ reply ── delivered ──────────────────────────────→ "replied"
                └─ refused (400) / uncertain (5xx, timeout) ─┐
    otherwise ───────────────────────────────────────────────┴─ push, retry key derived from the event id
                                                                 └─ delivered → "pushed" | "undelivered"

The retry key is the same on every attempt and every re-run of the event (after a crash), so LINE shows
a push once; the stage "replying" is stored before the reply, so a re-run never uses the token again.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter

from mnp_chatbot.channels.line.client import Delivery, LineClient
from mnp_chatbot.channels.line.schemas import LineEvent
from mnp_chatbot.core.logging import get_logger

log = get_logger(__name__)
REPLY_WINDOW_MS = 50_000  # LINE guarantees a reply token for one minute; keep a margin
RETRY_KEY_NAMESPACE = uuid.UUID("8f6a3c2e-5b7d-4e1f-9a0b-6c3d2e1f4a5b")
REPLYING = "replying"

SENT = Counter("line_messages_sent_total", "Answers sent to LINE, by how.", ["via"])
UNDELIVERED = Counter("line_messages_undelivered_total", "Answers LINE did not accept after every retry.")


def retry_key(event_id: str, purpose: str = "answer") -> str:
    """The X-Line-Retry-Key of an event's push: a UUID that is the same for every attempt."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, f"{purpose}:{event_id}"))


@dataclass(frozen=True, slots=True)
class Attempt:
    event: LineEvent
    stage: str | None  # what an earlier run of this event reached
    now_ms: int


def may_reply(attempt: Attempt) -> bool:
    event = attempt.event
    return (
        event.reply_token is not None
        and not event.delivery_context.is_redelivery
        and attempt.stage != REPLYING
        and attempt.now_ms - event.timestamp < REPLY_WINDOW_MS
    )


async def send(
    client: LineClient,
    attempt: Attempt,
    messages: Sequence[dict[str, Any]],
    *,
    mark_replying: Callable[[], Awaitable[None]],
) -> str:
    event = attempt.event
    if may_reply(attempt) and event.reply_token is not None:
        await mark_replying()
        outcome = await client.reply(event.reply_token, messages)
        if outcome is Delivery.DELIVERED:
            SENT.labels(via="reply").inc()
            return "replied"
    to = event.source.chat_id if event.source else None
    if to is None:
        return "undeliverable"
    return await push(client, to, messages, key=retry_key(event.webhook_event_id))


async def push(client: LineClient, to: str, messages: Sequence[dict[str, Any]], *, key: str) -> str:
    if await client.push(to, messages, retry_key=key) is Delivery.DELIVERED:
        SENT.labels(via="push").inc()
        return "pushed"
    UNDELIVERED.inc()
    log.error("line.push.undelivered", retry_key=key)
    return "undelivered"
