"""Personal names, only where the text says a name follows or precedes: 「名前は山田太郎です」,
「契約者名：山田 太郎」, 「山田太郎と申します」. Names have no shape, so without such a cue nothing is
masked."""

import re
from collections.abc import Iterator

from mnp_chatbot.masking.kinds import Found, PiiKind

_KANJI = r"[\u4e00-\u9fff々〆ヶ]"
_GIVEN = rf"(?:{_KANJI}{{1,5}}|[ァ-ヴ][ァ-ヴー]{{0,9}}|[ぁ-ゖ]{{1,8}}?)"
_NOT_GIVEN = r"(?!です|でした|でござ|と申|といい|と言い|さん|さま|様)"
_NAME = (
    rf"(?:(?:{_KANJI}{{1,5}}|[ァ-ヴ][ァ-ヴー]{{0,9}}|[ぁ-ゖ]{{2,8}}?)(?:[ ・]{_NOT_GIVEN}{_GIVEN})?"
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+)+|[A-Z]{2,}(?: [A-Z]{2,})+)"
)
_ENDS = (
    r"(?=です|でした|でございます|と申|といい|と言い|って(?:いい|言い)"
    r"|で[、。,. ]|で(?:契約|登録|申し込|申込)"
    r"|さん|様|さま|にな[っり]|の(?:名義|まま)|[。、,.!?」)\n]| |$)"
)
_LABEL = (
    r"(?:お名前|名前|なまえ|氏名|フルネーム|契約者名|契約者氏名|契約者|名義人|名義"
    r"|申込者名|申込者|利用者名|使用者名|フリガナ|ふりがな)"
)
_RELATIVE = r"(?:(?:父|母|夫|妻|息子|娘|祖父|祖母|兄|姉|弟|妹|主人|子供|親)の)?"
_SCRIPT_NOTE = r"(?:\((?:カナ|かな|フリガナ|ふりがな|漢字|ローマ字)\))?"
_LABELLED = re.compile(
    rf"{_LABEL}{_SCRIPT_NOTE}(?: ?(?:は|が|も|:|=) ?| ){_RELATIVE}(?P<name>{_NAME}){_ENDS}"
)
_INTRODUCED = re.compile(
    rf"(?:^|(?<=[。、,.!?\n ])|(?<=私は)|(?<=私、)|(?<=わたしは)|(?<=僕は)|(?<=ぼくは))(?P<name>{_NAME})"
    r"(?=と申し|と申す|といいます|と言います|っていいます|って言います)"
)
_KANJI_INTRODUCED = re.compile(rf"(?P<name>{_KANJI}{{2,5}}(?: ?{_KANJI}{{1,5}})?)(?=と申し|と申す)")
# Each pattern runs only when its cheap hint is present: most messages hold no name cue at all.
_PATTERNS = (
    (re.compile("名|氏|契約者|申込者|フリガナ|ふりがな|なまえ|フルネーム"), _LABELLED),
    (re.compile("と申|といい|と言い|って(?:いい|言い)"), _INTRODUCED),
    (re.compile("と申"), _KANJI_INTRODUCED),
)
_NOT_NAME_WORDS = (
    "本人|自分|私|僕|俺|家族|同じ|同一|同|親|父|母|夫|妻|子|子供|息子|娘|祖父|"
    "祖母|兄|姉|弟|妹|主人|法人|会社|別|別人|不明|未定|変更|誰|何|未成年|旧姓|"
    "新姓|一緒|当社|弊社|名義|契約者|未成年者|本名|カタカナ|ひらがな|漢字|ローマ字|"
    "なし|ない|わからない"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split("|"))
_NOT_NAME_PARTS = ("名義", "本人", "家族", "自分", "会社", "法人", "契約", "名前")


def find_names(text_view: str) -> Iterator[Found]:
    spans: list[tuple[int, int]] = []
    for hint, pattern in _PATTERNS:
        if not hint.search(text_view):
            continue
        for match in pattern.finditer(text_view):
            start, end = match.span("name")
            overlaps = any(start < other_end and other_start < end for other_start, other_end in spans)
            if not overlaps and _is_name(match.group("name")):
                spans.append((start, end))
    for start, end in sorted(spans):
        yield start, end, PiiKind.NAME


def _is_name(candidate: str) -> bool:
    return candidate not in _NOT_NAMES and not any(part in candidate for part in _NOT_NAME_PARTS)
