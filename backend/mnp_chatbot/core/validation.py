"""The one check on text that comes from outside: the customers (REST, socket.io, LINE), the console and
knowledge files. It refuses what PostgreSQL cannot store or the tokenizers cannot encode (NUL and other
control characters, lone surrogates) and the invisible characters that only serve to disguise text
(zero-width spaces, bidirectional overrides). Tabs and line breaks are allowed where text may span lines.

Pydantic fields use `Storable` / `SingleLine`; other callers (a webhook event, a socket event) call
`check(value, field=...)`, which raises a 422 naming the field.
"""

import re

from pydantic import AfterValidator

from mnp_chatbot.core.errors import ValidationFailed

_ALWAYS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2066-\u2069"
UNSTORABLE = re.compile(f"[{_ALWAYS}]")
UNSTORABLE_LINE = re.compile(f"[{_ALWAYS}\\t\\n\\r]")
MESSAGE = "使えない文字（制御文字など）が含まれています"


class TextRefused(ValidationFailed):
    """Text with characters `check` refuses; the message names the field."""


def refused(value: str, *, multiline: bool = True) -> bool:
    return (UNSTORABLE if multiline else UNSTORABLE_LINE).search(value) is not None


def storable(value: str) -> str:
    if refused(value):
        raise ValueError(MESSAGE)
    return value


def single_line(value: str) -> str:
    if refused(value, multiline=False):
        raise ValueError(MESSAGE)
    return value


def check(value: str, *, field: str, multiline: bool = True) -> str:
    """`value` unchanged, or TextRefused (422) naming `field`: for text that no pydantic model reads."""
    if refused(value, multiline=multiline):
        raise TextRefused(f"入力内容に誤りがあります（{field}: {MESSAGE}）。")
    return value


Storable = AfterValidator(storable)
SingleLine = AfterValidator(single_line)
