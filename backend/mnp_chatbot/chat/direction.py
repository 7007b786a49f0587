"""Which way a question looks at each brand it names: leaving it (the customer's current carrier) or joining
it (the destination) (pure).

    「ドコモから転出するには？」            docomo: FROM
    「ahamoに乗り換えるときの事務手数料は？」  ahamo: TO
    「ドコモからahamoに変えるとき…」          docomo: FROM, ahamo: TO
    「auの予約番号はどこで取れますか？」      au: FROM (a 予約番号 comes from the current carrier)
    「auとUQモバイルの間で移るとき…」         (none: both ways at once)

The same reading serves the knowledge base's entries (their direction, derived once per snapshot from the
question they answer) and the customer's message, so quick replies can follow the customer's direction.
"""

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum

from mnp_chatbot.chat.intent import SOURCE_SIDE, Attribute, read
from mnp_chatbot.japanese.brands import Mention, find_brands
from mnp_chatbot.japanese.text import squash
from mnp_chatbot.knowledge.schemas import CarrierDocument


class Direction(StrEnum):
    FROM = "from"  # about leaving the brand
    TO = "to"  # about joining the brand


# Read on squash()ed text (hiragana as katakana, casefolded, no spaces).
_JOINERS = re.compile(squash("^(や|・|、|,|と|とか|または|または、|/)$"))
_FROM_AFTER = tuple(
    squash(w)
    for w in (
        "から",
        "→",
        "->",
        "⇒",
        "を解約",
        "の解約",
        "を辞め",
        "をやめ",
        "契約中",
        "を使って",
        "ユーザー",
    )
)
_TO_AFTER = tuple(squash(w) for w in ("に", "へ"))
_FROM_BEFORE = tuple(squash(w) for w in ("今は", "いまは", "現在"))
_TO_BEFORE = tuple(squash(w) for w in ("→", "->", "⇒"))
# Both ways at once (moves inside a group): no direction.
_BOTH_WAYS = re.compile(squash("の間|間で|同士"))
# Cues in the whole text when no brand carries a role of its own; joining first
# (「…で乗り換える場合、予約番号は必要？」 is asked by someone joining), then leaving.
_TO_CUES = re.compile(
    squash("事務手数料|日以上|何日残|残っている必要|残っていれば|で乗り換え|で乗りかえ|申し込|申込|で契約|届")
)
_FROM_CUES = re.compile(
    squash(
        "乗り換え後|乗り換えた後|乗りかえ後|乗り換えると|解約|転出|から|分割|予約番号|予約コード|解除料|違約金"
        "|ポイント|メールアドレス|キャリアメール"
    )
)
_TO_ATTRIBUTES = frozenset({Attribute.FEE, Attribute.DAYS_LEFT, Attribute.SHOP_SIGNUP})


def of_text(
    text: str, carriers: Sequence[CarrierDocument], *, brands: Sequence[str] | None = None
) -> dict[str, Direction]:
    """The direction of each brand `text` is about (`brands` when given, else the brands it names).

    A brand followed by 「から」 is left, one followed by 「に」「へ」 is joined; a list
    (「auやUQモバイルから」) shares the role of its last name. With no such role, the text's own cues
    decide, then the attribute it asks about (a 予約番号 or a 解約金 is the current carrier's, a 事務手数料
    the destination's)."""
    squashed = squash(text)
    mentions = find_brands(text, carriers)
    about = list(dict.fromkeys(brands if brands is not None else [m.carrier.id for m in mentions]))
    if not about or _BOTH_WAYS.search(squashed):
        return {}
    found: dict[str, Direction] = {}
    for group in _groups(squashed, mentions):
        role = _role(squashed, group[0], group[-1])
        for mention in group:
            if role is not None and mention.carrier.id in about:
                found.setdefault(mention.carrier.id, role)
    if found:
        return found
    overall = _cue(squashed, text, carriers)
    return dict.fromkeys(about, overall) if overall is not None else {}


def _groups(squashed: str, mentions: Sequence[Mention]) -> list[list[Mention]]:
    """Mentions joined by 「や」「・」「、」 (a list of brands) as one group each, in reading order."""
    groups: list[list[Mention]] = []
    for mention in mentions:
        if groups and _JOINERS.match(squashed[groups[-1][-1].end : mention.start]):
            groups[-1].append(mention)
        else:
            groups.append([mention])
    return groups


def _role(squashed: str, first: Mention, last: Mention) -> Direction | None:
    after, before = squashed[last.end :], squashed[: first.start]
    if after.startswith(_FROM_AFTER) or before.endswith(_FROM_BEFORE):
        return Direction.FROM
    if after.startswith(_TO_AFTER) or before.endswith(_TO_BEFORE):
        return Direction.TO
    return None


def _cue(squashed: str, text: str, carriers: Sequence[CarrierDocument]) -> Direction | None:
    if _TO_CUES.search(squashed):
        return Direction.TO
    if _FROM_CUES.search(squashed):
        return Direction.FROM
    attribute = read(text, carriers).attribute
    if attribute in SOURCE_SIDE:
        return Direction.FROM
    if attribute in _TO_ATTRIBUTES:
        return Direction.TO
    return None


def fits(entry: Mapping[str, Direction], focus: Mapping[str, Direction]) -> bool | None:
    """True when the entry looks at one of the customer's brands the customer's way, False when it looks at
    one of them the other way (「楽天モバイルから転出するとき…」 for someone joining 楽天モバイル), None when
    it says nothing about the customer's brands."""
    shared = [brand for brand in focus if brand in entry]
    if any(entry[brand] is not focus[brand] for brand in shared):
        return False
    return True if shared else None
