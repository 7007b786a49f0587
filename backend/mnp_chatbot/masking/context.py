"""Context words ("cues") that tell what a nearby number or date is.

A value takes the cue nearest before it in the same sentence (numbers: or the one before), so in
「電話は03-1234-5678、予約番号は0312345678」 each number reads its own label. Sentences end at
。!?！？ and line breaks; placeholders of an earlier masking pass are blanked in the view, so masking
twice reads the same cues as masking once.
"""

import bisect
import re
from dataclasses import dataclass
from enum import StrEnum


class Cue(StrEnum):
    PHONE = "phone"
    MNP = "mnp"
    MY_NUMBER = "my_number"
    CARD = "card"
    POSTAL = "postal"
    OTHER_ID = "other_id"
    BIRTH = "birth"
    OTHER_DATE = "other_date"


NUMBER_CUES = frozenset({Cue.PHONE, Cue.MNP, Cue.MY_NUMBER, Cue.CARD, Cue.POSTAL, Cue.OTHER_ID})
DATE_CUES = frozenset({Cue.BIRTH, Cue.OTHER_DATE})

_WORDS: dict[Cue, str] = {
    Cue.PHONE: "電話番号|電話|携帯番号|ケータイ番号|連絡先|tel|fax|でんわ",
    Cue.MNP: "予約番号|mnp|転出|よやく番号|のりかえ番号|乗り換え番号",
    Cue.MY_NUMBER: "マイナンバーカード|マイナンバー|個人番号|my number|mynumber|通知カード",
    Cue.CARD: "カード番号|クレジット|クレカ|カード|card|visa|jcb|mastercard|amex",
    Cue.POSTAL: "郵便番号|〒|〶|郵便|zip|postal|ゆうびん",
    Cue.OTHER_ID: (
        "注文番号|受付番号|伝票番号|追跡番号|問い合わせ番号|問合せ番号|お問合せ番号|管理番号|"
        "製造番号|型番|imei|iccid|eid|simカード|sim番号|法人番号|請求書番号|オーダー番号|"
        "申込番号|シリアル|janコード"
    ),
    Cue.BIRTH: "生年月日|誕生日|生まれ|生年|birthday|dob|誕生",
    Cue.OTHER_DATE: (
        "契約日|契約|申込日|申込|申し込み日|予約日|来店|発行日|有効期限|期限|解約日|開通日|"
        "今日|明日|昨日|締め日|支払日|発送|届く|更新日"
    ),
}
_CUE_OF = {word: cue for cue, words in _WORDS.items() for word in words.split("|")}


def _trie_pattern(words: list[str]) -> str:
    """One regex alternative per first character, so most positions are rejected at once; longest first."""
    heads: dict[str, list[str]] = {}
    for word in words:
        heads.setdefault(word[0], []).append(word[1:])
    branches = []
    for head, tails in sorted(heads.items()):
        rest = [tail for tail in tails if tail]
        inner = _trie_pattern(rest) if rest else ""
        optional = "?" if "" in tails and rest else ""
        branches.append(re.escape(head) + (f"(?:{inner}){optional}" if rest else ""))
    return "|".join(branches)


# ASCII cue words must stand alone: "tel" is a cue, "hotel" is not. The leading class of first characters
# rejects most positions in one step.
_FIRST_CHARS = "".join(sorted({re.escape(word[0]) for word in _CUE_OF}))
_CUE_PATTERN = re.compile(
    rf"(?=[{_FIRST_CHARS}])(?:(?<![a-z])(?:{_trie_pattern([w for w in _CUE_OF if w.isascii()])})(?![a-z])"
    rf"|{_trie_pattern([w for w in _CUE_OF if not w.isascii()])})",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[。!?！？\n]")


@dataclass(frozen=True, slots=True)
class Context:
    starts: list[int]
    ends: list[int]
    cues: list[Cue]
    sentence_ends: list[int]

    @classmethod
    def of(cls, text_view: str) -> "Context":
        matches = list(_CUE_PATTERN.finditer(text_view))
        return cls(
            starts=[m.start() for m in matches],
            ends=[m.end() for m in matches],
            cues=[_CUE_OF[m.group().lower()] for m in matches],
            sentence_ends=[m.start() for m in _SENTENCE_END.finditer(text_view)],
        )

    def sentence_start(self, position: int) -> int:
        index = bisect.bisect_left(self.sentence_ends, position)
        return self.sentence_ends[index - 1] + 1 if index else 0

    def nearest(self, position: int, among: frozenset[Cue], *, sentences: int = 1) -> Cue | None:
        """The cue among `among` nearest before `position` within its last `sentences` sentences."""
        floor = self.sentence_start(position)
        for _ in range(sentences - 1):
            floor = self.sentence_start(floor - 1) if floor else 0
        for index in range(bisect.bisect_right(self.ends, position) - 1, -1, -1):
            if self.starts[index] < floor:
                return None
            if self.cues[index] in among:
                return self.cues[index]
        return None
