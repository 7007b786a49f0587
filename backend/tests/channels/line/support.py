"""Signed webhook bodies as LINE sends them, for the LINE tests and the benchmark."""

import itertools
import json
import secrets
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from mnp_chatbot.channels.line.signature import sign

SECRET = "line-test-channel-secret"
DESTINATION = "U" + "0" * 32
_counter = itertools.count()
ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def event_id() -> str:
    """A fresh id in ULID form (26 Crockford base-32 characters), as LINE's webhookEventId."""
    return "".join(secrets.choice(ULID_ALPHABET) for _ in range(26))


def user_id() -> str:
    return "U" + secrets.token_hex(16)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def message_id() -> str:
    return str(10**17 + next(_counter) * 7919 + secrets.randbelow(10**6))


@dataclass
class Events:
    """Event objects of one user, in webhook.yml's shape."""

    user: str = field(default_factory=user_id)

    def base(self, kind: str, *, reply_token: str | None = None, **extra: Any) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": kind,
            "mode": "active",
            "timestamp": now_ms(),
            "source": {"type": "user", "userId": self.user},
            "webhookEventId": event_id(),
            "deliveryContext": {"isRedelivery": False},
        }
        if reply_token is not None:
            event["replyToken"] = reply_token
        event.update(extra)
        return event

    def text(self, text: str, *, reply_token: str | None = None, **extra: Any) -> dict[str, Any]:
        message = {"id": message_id(), "type": "text", "quoteToken": secrets.token_hex(8), "text": text}
        return self.base("message", reply_token=reply_token, message=message, **extra)

    def media(self, kind: str, *, reply_token: str | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {"id": message_id(), "type": kind}
        if kind == "sticker":
            message.update(packageId="446", stickerId="1988", stickerResourceType="STATIC")
        if kind == "location":
            message.update(title="渋谷", address="東京都渋谷区", latitude=35.65, longitude=139.70)
        return self.base("message", reply_token=reply_token, message=message)

    def postback(self, data: str, *, reply_token: str | None = None) -> dict[str, Any]:
        return self.base("postback", reply_token=reply_token, postback={"data": data})

    def unsend(self, message: str) -> dict[str, Any]:
        return self.base("unsend", unsend={"messageId": message})


def body(*events: dict[str, Any], destination: str = DESTINATION) -> bytes:
    return json.dumps({"destination": destination, "events": list(events)}, ensure_ascii=False).encode()


def signed(raw: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"x-line-signature": sign(raw, secret.encode()), "content-type": "application/json"}


def report(test: str, **figures: object) -> None:
    """A test's figures on stdout (shown with `pytest -s`), for the closing note."""
    sys.stdout.write(f"\n[{test}] " + " ".join(f"{name}={value}" for name, value in figures.items()) + "\n")
