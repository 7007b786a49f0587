import re
from collections.abc import Iterator

from mnp_chatbot.masking.kinds import Found, PiiKind

# Local parts are loose on purpose: old docomo/au addresses hold "..", or a "." just before the "@".
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z0-9\-])"
)


def find_emails(text_view: str) -> Iterator[Found]:
    for match in _EMAIL.finditer(text_view):
        yield match.start(), match.end(), PiiKind.EMAIL
