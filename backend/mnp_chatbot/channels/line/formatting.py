"""A reply as LINE message objects (pure): plain text within LINE's limits, no markdown, sources as short
links, quick replies within LINE's limits, and the navigator's guide as a Flex bubble.

LINE's limits (Messaging API reference): 5 messages a request, 5,000 characters a text message, 13 quick
reply items with labels of at most 20 characters and message-action texts of at most 300; Flex `altText`
at most 400 characters.
"""

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from mnp_chatbot.chat.reply import Mode, Reply, SourceRef

MAX_MESSAGES = 5
MAX_TEXT_CHARS = 5000
PART_CHARS = 1200  # a long answer is split into readable parts of about this size
MAX_QUICK_REPLIES = 13
MAX_LABEL_CHARS = 20
MAX_ACTION_TEXT_CHARS = 300
MAX_ALT_TEXT_CHARS = 400
MAX_SOURCES = 3
ELLIPSIS = "…"

LineMessage = dict[str, Any]

MARKDOWN_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"```[a-zA-Z]*\n?"), ""),
    (re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)"), r"\1（\2）"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?!\w)"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE), ""),
    (re.compile(r"^\s{0,3}>\s?", re.MULTILINE), ""),
    (re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE), r"\1・"),
    (re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$", re.MULTILINE), ""),
    (re.compile(r"\n{3,}"), "\n\n"),
)
BREAKS = ("\n\n", "\n", "。", "！", "？", "、", " ")


def plain(text: str) -> str:
    """Markdown marks removed; LINE shows text as it is."""
    for pattern, replacement in MARKDOWN_RULES:
        text = pattern.sub(replacement, text)
    return text.strip()


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def split_text(text: str, *, size: int = PART_CHARS) -> list[str]:
    """Parts of at most `size` characters, cut at a paragraph, line or sentence end where there is one."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > size:
        cut = _cut(rest, size)
        parts.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        parts.append(rest)
    return parts


def _cut(text: str, size: int) -> int:
    for mark in BREAKS:
        at = text.rfind(mark, size // 2, size)
        if at != -1:
            return at + len(mark)
    return size


def short_link(url: str) -> str:
    """The address without query or fragment (shorter, and no tracking parameters)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def sources_text(sources: Sequence[SourceRef]) -> str:
    lines = ["出典"]
    for source in sources[:MAX_SOURCES]:
        link = short_link(source.url) if source.url else ""
        lines.append(f"・{clip(source.question, 60)}" + (f"\n  {link}" if link else ""))
    return "\n".join(lines) if len(lines) > 1 else ""


def quick_reply(options: Sequence[str]) -> dict[str, Any] | None:
    items = []
    seen: set[str] = set()
    for option in options:
        text = option.strip()[:MAX_ACTION_TEXT_CHARS]
        if not text or text in seen:
            continue
        seen.add(text)
        label = clip(text, MAX_LABEL_CHARS)
        items.append({"type": "action", "action": {"type": "message", "label": label, "text": text}})
    return {"items": items[:MAX_QUICK_REPLIES]} if items else None


def text_message(text: str) -> LineMessage:
    return {"type": "text", "text": clip(text, MAX_TEXT_CHARS)}


def guide_message(text: str) -> LineMessage:
    """The navigator's step guide as a Flex bubble: one text block a paragraph."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()] or [text]
    contents: list[dict[str, Any]] = []
    for number, paragraph in enumerate(paragraphs[:20]):
        block: dict[str, Any] = {"type": "text", "text": clip(paragraph, 2000), "wrap": True, "size": "sm"}
        if number == 0:
            block.update(weight="bold", size="md")
        else:
            block["margin"] = "md"
        contents.append(block)
    body = {"type": "box", "layout": "vertical", "contents": contents}
    return {
        "type": "flex",
        "altText": clip(paragraphs[0], MAX_ALT_TEXT_CHARS),
        "contents": {"type": "bubble", "size": "giga", "body": body},
    }


def messages_for(reply: Reply) -> list[LineMessage]:
    """At most five messages: the answer (split when long), its sources, and quick replies on the last."""
    text = plain(reply.text)
    sources = sources_text(reply.sources)
    room = MAX_MESSAGES - (1 if sources else 0)
    if reply.mode is Mode.NAVIGATOR:
        messages = [guide_message(text)]
    else:
        messages = [text_message(part) for part in _fit(split_text(text), room)]
    if sources:
        messages.append(text_message(sources))
    return with_quick_replies(messages, reply.quick_replies)


def texts(*parts: str, options: Sequence[str] = ()) -> list[LineMessage]:
    """Fixed text (greetings, notices) as messages, with quick replies on the last."""
    return with_quick_replies([text_message(plain(part)) for part in parts][:MAX_MESSAGES], options)


def with_quick_replies(messages: list[LineMessage], options: Sequence[str]) -> list[LineMessage]:
    items = quick_reply(options)
    if items is not None and messages:
        messages[-1] = {**messages[-1], "quickReply": items}
    return messages


def _fit(parts: list[str], room: int) -> list[str]:
    """Join the last parts so that no more than `room` messages are needed."""
    if len(parts) <= room:
        return parts
    head, tail = parts[: room - 1], "\n\n".join(parts[room - 1 :])
    return [*head, clip(tail, MAX_TEXT_CHARS)]
