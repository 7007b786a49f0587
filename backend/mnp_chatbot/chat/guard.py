"""The number guard: an LLM reply may state no number that its sources do not contain (pure).

    reply ─ fold (NFKC per character, offsets kept) ─ tokens ─┬─ date 2023年5月24日 / 2023-05-24
                                                              ├─ year-month, month-day, time 9:00 / 9時
                                                              ├─ digit groups 0120-800-000 (no hyphens)
                                                              ├─ amount, count 3,850円 15日間 1万円 十五日
                                                              ├─ URL (must occur verbatim)
                                                              └─ citation [n] (n must name a source)
    each token ─ found among the same tokens of the sources? ─ else offending

A number without a unit matches the same value under any unit, and a unit-less number in the sources allows
that value under any unit; otherwise the unit must agree (15日 is not 15円). Dates in the sources also allow
their parts (2021年, 4月1日, 2021年4月). Numbered-list markers at the start of a line are not facts.

`NumberGate` applies the same check to a stream: it releases text as soon as no number can still be growing
at its end, and holds back only a number until it is complete and checked.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TypeAlias

from mnp_chatbot.japanese.text import nfkc

KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
KANJI = "〇一二三四五六七八九十百千万"
HYPHENS = "‐‑‒–—―−ｰ"
UNITS: dict[str, str] = {
    "円": "yen",
    "営業日": "business_day",
    "日間": "day",
    "日": "day",
    "時間": "hour",
    "分間": "minute",
    "分": "minute",
    "秒": "second",
    "週間": "week",
    "か月": "months",
    "ヶ月": "months",
    "ケ月": "months",
    "カ月": "months",
    "ヵ月": "months",
    "箇月": "months",
    "月": "month",
    "年間": "year",
    "年": "year",
    "歳": "age",
    "才": "age",
    "%": "percent",
    "パーセント": "percent",
    "回": "times",
    "件": "count",
    "桁": "digits",
    "人": "person",
    "台": "device",
    "枚": "sheet",
    "GB": "gb",
    "MB": "mb",
}
UNIT = "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))
D = r"(?<!\d)"  # a number starts here, not inside another
TOKEN = re.compile(
    rf"(?P<marker>^[ \t]*\d{{1,2}}[.)](?=[ \t]))"
    rf"|(?P<url>https?://[^\s<>()「」（）、。]+)"
    rf"|(?P<cite>\[(?P<cite_n>\d{{1,3}})\])"
    rf"|(?P<date>{D}(?P<dy>\d{{4}}) ?年 ?(?P<dm>\d{{1,2}}) ?月 ?(?P<dd>\d{{1,2}}) ?日)"
    rf"|(?P<iso>{D}(?P<iy>\d{{4}})(?P<isep>[-/.])(?P<im>\d{{1,2}})(?P=isep)(?P<id>\d{{1,2}})(?!\d))"
    rf"|(?P<ym>{D}(?P<yy>\d{{4}}) ?年 ?(?P<ymm>\d{{1,2}}) ?月(?![間\d]))"
    rf"|(?P<md>{D}(?P<mm>\d{{1,2}}) ?月 ?(?P<md_d>\d{{1,2}}) ?日)"
    rf"|(?P<clock>{D}(?P<ch>\d{{1,2}}):(?P<cm>\d{{2}})(?![\d:]))"
    rf"|(?P<jtime>{D}(?P<jh>\d{{1,2}}) ?時(?! ?間)(?: ?(?P<jm>\d{{1,2}}) ?分)?)"
    rf"|(?P<groups>{D}\d+(?:[-ー]\d+)+(?![\d-]))"
    rf"|(?P<number>(?<![\d.,])(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<frac>\.\d+)?"
    rf" ?(?P<mult>万|千)? ?(?P<unit>{UNIT})?)"
    rf"|(?P<kanji>(?<![数何{KANJI}])(?P<k>[{KANJI}]+) ?(?P<kunit>{UNIT}))",
    re.MULTILINE,
)
TAIL_CHARS = r"\d\[\],.:\-/〜~ー 年月日時分秒間円ヶケカヵか箇週営業歳才%パーセント回件桁人台枚GBM"
OPEN_TAIL = re.compile(rf"(?:https?://\S*|[\d{KANJI}\[][{KANJI}{TAIL_CHARS}]*)$")

Fact: TypeAlias = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    facts: tuple[Fact, ...]  # the first is what the token states; the rest are parts it also allows


@dataclass(frozen=True, slots=True)
class GuardResult:
    ok: bool
    offending: tuple[str, ...] = ()


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if "①" <= char <= "⑳" or "❶" <= char <= "❿":
        return "•"  # circled numbers are list bullets, not facts
    if char in HYPHENS:
        return "-"
    if char in "【〔":
        return "["  # citations written as 【1】 are citations too
    if char in "】〕":
        return "]"
    folded = nfkc(char)
    return folded if len(folded) == 1 else char


def fold(text: str) -> str:
    """NFKC applied character by character, so an offset in the result is the same offset in `text`."""
    return "".join(_fold_char(char) for char in text)


def _decimal(text: str) -> str:
    """The canonical spelling of a number: 3850.0 → 3850, 1.50 → 1.5, 10000 stays 10000."""
    return format(Decimal(text).normalize(), "f")


def kanji_value(text: str) -> int:
    """二十 → 20, 三千五百 → 3500, 一万五千 → 15000, 二〇二三 → 2023."""
    if not any(char in KANJI_UNITS or char == "万" for char in text):
        return int("".join(str(KANJI_DIGITS[char]) for char in text))
    total = section = digit = 0
    for char in text:
        if char in KANJI_DIGITS:
            digit = KANJI_DIGITS[char]
        elif char == "万":
            total += (section + digit or 1) * 10_000
            section = digit = 0
        else:
            section += (digit or 1) * KANJI_UNITS[char]
            digit = 0
    return total + section + digit


def _int(text: str) -> str:
    return str(int(text))


def _date_facts(year: str, month: str, day: str) -> tuple[Fact, ...]:
    y, m, d = _int(year), _int(month), _int(day)
    return (
        ("date", y, m, d),
        ("ym", y, m),
        ("md", m, d),
        ("num", y, "year"),
        ("num", m, "month"),
        ("num", d, "day"),
    )


def _number_facts(match: re.Match[str]) -> tuple[Fact, ...]:
    value = match["n"].replace(",", "") + (match["frac"] or "")
    if match["mult"]:
        value = str(Decimal(value) * (10_000 if match["mult"] == "万" else 1000))
    unit = UNITS[match["unit"]] if match["unit"] else ""
    return (("num", _decimal(value), unit),)


def _facts(match: re.Match[str]) -> tuple[Fact, ...]:
    kind = match.lastgroup or ""
    if kind == "date":
        return _date_facts(match["dy"], match["dm"], match["dd"])
    if kind == "iso":
        return _date_facts(match["iy"], match["im"], match["id"])
    if kind == "ym":
        y, m = _int(match["yy"]), _int(match["ymm"])
        return (("ym", y, m), ("num", y, "year"), ("num", m, "month"))
    if kind == "md":
        m, d = _int(match["mm"]), _int(match["md_d"])
        return (("md", m, d), ("num", m, "month"), ("num", d, "day"))
    if kind == "clock":
        return (("time", _int(match["ch"]), _int(match["cm"])),)
    if kind == "jtime":
        return (("time", _int(match["jh"]), _int(match["jm"] or "0")),)
    if kind == "groups":
        return (("num", _int(re.sub(r"\D", "", match[kind])), ""),)
    if kind == "number":
        return _number_facts(match)
    if kind == "kanji":
        return (("num", str(kanji_value(match["k"])), UNITS[match["kunit"]]),)
    if kind == "cite":
        return (("cite", _int(match["cite_n"])),)
    if kind == "url":
        return (("url", match[kind].rstrip(".,")),)
    return ()


def tokens(folded: str) -> Iterator[Token]:
    """The number-bearing tokens of already folded text."""
    for match in TOKEN.finditer(folded):
        facts = _facts(match)
        if facts:
            yield Token(match.start(), match.end(), facts)


class Allowed:
    """What the sources state: every fact of their tokens, and their folded text (for URLs)."""

    def __init__(self, sources: Sequence[str]) -> None:
        folded = [fold(source) for source in sources]
        self.count = len(sources)
        self.text = "\n".join(folded)
        self.facts = {fact for text in folded for token in tokens(text) for fact in token.facts}
        self.values = {fact[1] for fact in self.facts if fact[0] == "num"}

    def allows(self, fact: Fact) -> bool:
        kind = fact[0]
        if kind == "cite":
            return 1 <= int(fact[1]) <= self.count
        if kind == "url":
            return fact[1] in self.text
        if kind == "num":
            _, value, unit = fact
            plain = ("num", value, "") in self.facts or (not unit and value in self.values)
            return fact in self.facts or plain
        return fact in self.facts


def offending(folded: str, allowed: Allowed, *, end: int | None = None) -> list[Token]:
    return [t for t in tokens(folded) if (end is None or t.end <= end) and not allowed.allows(t.facts[0])]


def check(reply: str, sources: Sequence[str]) -> GuardResult:
    """Whether every number, date, time, phone number, URL and citation of `reply` is backed by `sources`."""
    bad = offending(fold(reply), Allowed(sources))
    return GuardResult(not bad, tuple(reply[token.start : token.end] for token in bad))


class NumberGate:
    """Streams a reply through the guard: `feed` returns what may go out now; `failed` once a number fails."""

    def __init__(self, sources: Sequence[str]) -> None:
        self.allowed = Allowed(sources)
        self.text = ""
        self.folded = ""
        self.released = 0
        self.offending: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return bool(self.offending)

    def feed(self, delta: str) -> str:
        self.text += delta
        self.folded += fold(delta)
        return self._release(self._stable_end())

    def finish(self) -> str:
        """The rest of the text once the stream has ended ("" if a number failed)."""
        return self._release(len(self.text))

    def _stable_end(self) -> int:
        """Where text stops being final: the start of a number (or URL) that may still be growing."""
        tail = OPEN_TAIL.search(self.folded, self.released)
        return tail.start() if tail else len(self.folded)

    def _release(self, limit: int) -> str:
        if self.failed:
            return ""
        found = list(tokens(self.folded))
        limit = max(self.released, min([limit, *(t.start for t in found if t.start < limit < t.end)]))
        bad = [
            self.text[t.start : t.end]
            for t in found
            if t.end <= limit and not self.allowed.allows(t.facts[0])
        ]
        if bad:
            self.offending = tuple(bad)
            return ""
        released, self.released = self.text[self.released : limit], limit
        return released


ECHO_WINDOW = 12


def _squashed(text: str) -> str:
    return "".join(nfkc(text).split())


def _windows(text: str, window: int) -> set[str]:
    return {text[i : i + window] for i in range(max(len(text) - window + 1, 0))}


def echoes(reply: str, secret: str, *, allowed: Sequence[str] = (), window: int = ECHO_WINDOW) -> bool:
    """Whether `reply` repeats `window` consecutive characters of `secret` (spaces ignored), e.g. the
    system prompt's wording, other than what the `allowed` texts (the sources) say too."""
    pieces = _windows(_squashed(secret), window)
    for text in allowed:
        pieces -= _windows(_squashed(text), window)
    return not pieces.isdisjoint(_windows(_squashed(reply), window))
