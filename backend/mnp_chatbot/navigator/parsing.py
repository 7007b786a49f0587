"""Reading the customer's free text: intent to switch, brands with their roles, and answers to each question.

Every matcher works on `squash()`ed text (`japanese.text`), and the keyword lists are squashed the same
way, so 「ｅＳＩＭ」「いーしむ」 or 「オンライン」「おんらいん」 all match. Channels and SIM types are read
with the one vocabulary in `japanese.vocabulary`.
"""

import datetime as dt
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Literal, TypeAlias, TypeVar

from mnp_chatbot.japanese import vocabulary
from mnp_chatbot.japanese.brands import Mention, find_brands
from mnp_chatbot.japanese.text import squash
from mnp_chatbot.japanese.vocabulary import ApplyChannel, SimType
from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator.schemas import Device

NOT_YET: Literal["not_yet"] = "not_yet"
DateAnswer: TypeAlias = dt.date | Literal["not_yet"]
T = TypeVar("T")


def _words(*words: str) -> tuple[str, ...]:
    return tuple(squash(word) for word in words)


_has = vocabulary.has_any


class Command(StrEnum):
    STOP = "stop"
    RESTART = "restart"
    NEXT = "next"
    DONE = "done"
    BACK = "back"
    ROADMAP = "roadmap"
    STEPWISE = "stepwise"


COMMAND_WORDS: dict[Command, tuple[str, ...]] = {
    Command.STOP: _words("やめる", "やめます", "中止", "キャンセル", "終了", "終わりにする"),
    Command.RESTART: _words("最初から", "やり直", "リセット"),
    Command.STEPWISE: _words("ステップ", "ひとつずつ", "一つずつ", "1つずつ", "順番に", "順に"),
    Command.ROADMAP: _words("全体", "ロードマップ", "一覧", "まとめて", "全部"),
    Command.DONE: _words(
        "完了", "できた", "できました", "終わった", "終わりました", "済み", "済んだ", "done"
    ),
    Command.NEXT: _words("次", "つぎ", "進む", "すすむ", "next"),
    Command.BACK: _words("前へ", "前の", "戻る", "もどる", "back"),
}
DEVICE_WORDS = {
    Device.BUNDLE: _words("セット", "一緒", "同時", "契約と", "まとめて買"),
    Device.NEW: _words("新しい", "新品", "買い替え", "買い換え", "買替", "機種変", "simフリー", "別で買"),
    Device.KEEP: _words("今の", "いまの", "そのまま", "使う", "継続", "今使って", "同じ端末"),
}
UNSURE = _words("わから", "分から", "不明", "知らない")
NO = _words(
    "違う", "ちがう", "異な", "別", "いいえ", "なし", "無し", "ない", "no", "じゃない", "ではない", "家族名義"
)
YES = _words("同じ", "はい", "あり", "有り", "ある", "うん", "yes", "本人", "自分", "そう")
NOT_YET_WORDS = _words(
    "まだ", "取っていない", "取ってない", "とってない", "未取得", "これから", "持っていない", "持ってない"
)
DAYS_AGO = {**dict.fromkeys(_words("一昨日", "おととい"), 2), **dict.fromkeys(_words("昨日", "きのう"), 1)}
DAYS_AGO |= dict.fromkeys(_words("今日", "本日", "きょう"), 0)
FULL_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
MONTH_DAY = re.compile(r"(\d{1,2})[/月](\d{1,2})")
DAY_ONLY = re.compile(squash(r"(\d{1,2})日(?!前)"))
N_DAYS_AGO = re.compile(squash(r"(\d{1,2})日前"))

NAVI = _words("乗り換えナビ", "のりかえナビ", "乗換ナビ", "mnpナビ")
STRONG = re.compile(
    squash(
        "(乗り?換え?|のりかえ|mnp|転出|番号ポータビリティ)(し)?(たい|よう|を?考え|を?検討|する予定|するつもり|の?手順|の?やり方|の?流れ)"
    )
)
WEAK = re.compile(squash("(変え|かえ|換え|移り|うつり|移動し|移行し)(たい|よう|を?考え|を?検討)"))
CONTEXT = _words("会社", "キャリア", "格安", "回線", "から", "mnp")
TO_BRAND_WANT = re.compile(
    squash("^(に|へ)(し|変え|かえ|乗り?換え|のりかえ|移り|mnp|移行)?(たい|よう|を?考え|を?検討|する)")
)
FROM_AFTER = _words("から", "→", "->", "⇒", "を使って", "使って", "ユーザー", "を契約", "契約中", "です")
TO_AFTER = _words("に", "へ")
FROM_BEFORE = _words("今は", "いまは", "現在", "今")
TO_BEFORE = _words("→", "->", "⇒")


def wants_navigator(text: str, carriers: Sequence[knowledge.CarrierDocument] = ()) -> bool:
    """「乗り換えナビ」「乗り換えたい」「ドコモから楽天に変えたい」; 「povoにしたい」 too, given carriers."""
    squashed = squash(text)
    if _has(squashed, NAVI) or STRONG.search(squashed):
        return True
    if WEAK.search(squashed) and _has(squashed, CONTEXT) and "機種変" not in squashed:
        return True
    return any(TO_BRAND_WANT.match(squashed[mention.end :]) for mention in find_brands(text, carriers))


def brand_roles(text: str, carriers: Sequence[knowledge.CarrierDocument]) -> dict[str, str]:
    """`from_brand` / `to_brand` ids from 「ドコモから楽天に」「今はau」「UQにしたい」「au→povo」."""
    squashed = squash(text)
    mentions = find_brands(text, carriers)
    roles: dict[str, str] = {}
    unassigned: list[Mention] = []
    for mention in mentions:
        role = _role(squashed, mention)
        if role is None or role in roles:
            unassigned.append(mention)
        else:
            roles[role] = mention.carrier.id
    if len(roles) == 1 and len(unassigned) == 1 and len(mentions) == 2:
        other = "to_brand" if "from_brand" in roles else "from_brand"
        roles[other] = unassigned[0].carrier.id
    return roles


def _role(squashed: str, mention: Mention) -> str | None:
    after, before = squashed[mention.end :], squashed[: mention.start]
    if after.startswith(FROM_AFTER) or before.endswith(FROM_BEFORE):
        return "from_brand"
    if after.startswith(TO_AFTER) or before.endswith(TO_BEFORE):
        return "to_brand"
    return None


def extract_slots(text: str, carriers: Sequence[knowledge.CarrierDocument]) -> dict[str, str]:
    """Slots a message states outright, keyed like `Slots`: brands with a role, SIM type, channel."""
    slots = brand_roles(text, carriers)
    sim = vocabulary.sim_named(text, stated=True)
    if sim is not None:
        slots["sim"] = sim.value
    channel = vocabulary.channel_named(text, stated=True)
    if channel is not None:
        slots["channel"] = channel.value
    return slots


def parse_command(text: str) -> Command | None:
    squashed = squash(text)
    return next((command for command, words in COMMAND_WORDS.items() if _has(squashed, words)), None)


def parse_channel(text: str) -> ApplyChannel | None:
    return vocabulary.channel_named(text)


def parse_sim(text: str) -> SimType | None:
    return vocabulary.sim_named(text)


def parse_device(text: str) -> Device | None:
    return _first_match(text, DEVICE_WORDS)


def _first_match(text: str, table: dict[T, tuple[str, ...]]) -> T | None:
    return vocabulary.first_named(squash(text), table)


def parse_yes_no(text: str) -> bool | None:
    """Answers to 「同じ名義ですか」「家族割は？」; negatives win (「同じじゃない」)."""
    squashed = squash(text)
    if _has(squashed, UNSURE):
        return None
    if _has(squashed, NO):
        return False
    return True if _has(squashed, YES) else None


def parse_issue_date(text: str, today: dt.date) -> DateAnswer | None:
    """The day a 予約番号 was issued (「2026-11-20」「11/20」「20日」「3日前」「昨日」), NOT_YET for 「まだ」.

    A date without a year (or month) is the latest such day not after `today`; impossible dates give None.
    """
    squashed = squash(text)
    try:
        found = _absolute_date(squashed, today) or _relative_date(squashed, today)
    except ValueError:
        return None
    if found is None and _has(squashed, NOT_YET_WORDS) and not _has(squashed, UNSURE):
        return NOT_YET
    return found


def _absolute_date(squashed: str, today: dt.date) -> dt.date | None:
    if match := FULL_DATE.search(squashed):
        return dt.date(*map(int, match.groups()))
    if match := MONTH_DAY.search(squashed):
        month, day = map(int, match.groups())
        candidate = dt.date(today.year, month, day)
        return candidate if candidate <= today else dt.date(today.year - 1, month, day)
    if match := DAY_ONLY.search(squashed):
        candidate = today.replace(day=int(match.group(1)))
        return candidate if candidate <= today else _previous_month(today).replace(day=candidate.day)
    return None


def _previous_month(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def _relative_date(squashed: str, today: dt.date) -> dt.date | None:
    if match := N_DAYS_AGO.search(squashed):
        return today - dt.timedelta(days=int(match.group(1)))
    days = next((days for word, days in DAYS_AGO.items() if word in squashed), None)
    return None if days is None else today - dt.timedelta(days=days)
