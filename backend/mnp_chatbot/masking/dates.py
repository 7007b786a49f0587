"""Birth dates: a date is masked only when a birth cue (生年月日, 誕生日, …) is the nearest date cue before
it in the sentence, or when 生まれ/生 follows it. Contract, visit and expiry dates stay readable."""

import re
from collections.abc import Iterator

from mnp_chatbot.masking.context import DATE_CUES, Context, Cue
from mnp_chatbot.masking.kinds import Found, PiiKind

_YEAR = (
    r"(?:(?:明治|大正|昭和|平成|令和) ?(?:元|[0-9]{1,2})"
    r"|(?<![A-Za-z])[MTSHRmtshr] ?[0-9]{1,2}|(?:19|20)[0-9]{2})"
)
_DATE = re.compile(
    r"(?<![0-9])(?:"
    rf"{_YEAR} ?(?:年|[/.\-]) ?[0-9]{{1,2}} ?(?:月|[/.\-]) ?[0-9]{{1,2}}(?: ?日)?"
    r"|(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"|[0-9]{1,2} ?月 ?[0-9]{1,2} ?日"
    r")(?![0-9])"
)
_BORN_AFTER = re.compile(r" ?(?:生まれ|うまれ|生(?![活産])|産まれ)")


_HINT = re.compile(r"生|誕|うまれ|birthday|dob", re.IGNORECASE)  # every birth cue holds one


def find_birth_dates(digits_view: str, context: Context) -> Iterator[Found]:
    if not _HINT.search(digits_view):
        return
    for match in _DATE.finditer(digits_view):
        cue = context.nearest(match.start(), DATE_CUES)
        if cue is Cue.BIRTH or _BORN_AFTER.match(digits_view, match.end()):
            yield match.start(), match.end(), PiiKind.BIRTH_DATE
