"""What one message asks, read without the knowledge base's FAQ text (pure).

    「ドコモの予約番号は？」      brands=[docomo], attribute=RESERVATION, own topic
    「auは？」                   brands=[au], no topic of its own → elliptic (the last topic applies)
    「お店でも同じ？」            channel=shop, no topic of its own → elliptic
    「XからYにしたい、予約番号いる？」 roles from/to → a pair question (the planner answers it)
    「オンライン専用のブランドってどこ？」 a list question over the carrier table

A message has a topic of its own when, once brand names, the words of the attribute it asks about,
channel words and grammatical filler are taken out, content words remain. Only a message without one is
elliptic; 「ドコモの予約番号は？」 after a dポイント question asks about 予約番号, not dポイント.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from mnp_chatbot.japanese import vocabulary
from mnp_chatbot.japanese.brands import find_brands, names_of
from mnp_chatbot.japanese.text import fold, nfkc, squash, without_spaces
from mnp_chatbot.knowledge.schemas import CarrierDocument
from mnp_chatbot.navigator.parsing import brand_roles, wants_navigator


class Attribute(StrEnum):
    """An attribute of one brand that its record in the carrier table answers."""

    FEE = "fee"  # 契約事務手数料 (paid to the destination)
    CANCEL_FEE = "cancel_fee"  # 解約金・契約解除料 (of the current carrier)
    PORT_OUT_FEE = "port_out_fee"  # MNP転出手数料
    RESERVATION = "reservation"  # how and where to get a 予約番号
    HOURS = "hours"  # opening hours of the 予約番号 desks
    PHONE = "phone"  # phone numbers of the 予約番号 desks
    SHOP_SIGNUP = "shop_signup"  # online only or not
    ONE_STOP = "one_stop"  # takes part in ワンストップ or not
    DAYS_LEFT = "days_left"  # validity a 予約番号 must have left
    NEEDS_NUMBER = "needs_number"  # is a 予約番号 needed at all (pair questions)


# The brand whose record answers the attribute when the message names none: the current carrier for what
# happens when leaving it, the destination for what happens when joining it.
SOURCE_SIDE = frozenset(
    {Attribute.CANCEL_FEE, Attribute.PORT_OUT_FEE, Attribute.RESERVATION, Attribute.HOURS, Attribute.PHONE}
)


def _alternatives(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(squash(word)) for word in words))


def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(squash(pattern))


# Read on squash()ed text (hiragana as katakana), the most specific attribute first.
ATTRIBUTE_PATTERNS: tuple[tuple[Attribute, re.Pattern[str]], ...] = (
    (Attribute.CANCEL_FEE, _alternatives("解約金", "違約金", "解除料", "解約料", "解約手数料")),
    (Attribute.PORT_OUT_FEE, _alternatives("転出手数料", "転出料", "mnp手数料", "ポータビリティ手数料")),
    (Attribute.ONE_STOP, _alternatives("ワンストップ", "1ストップ", "one stop", "onestop")),
    (Attribute.DAYS_LEFT, _regex("(残り?|のこり)(日数|何日|の日数)|何日以上|日以上(残|のこ)")),
    (
        Attribute.NEEDS_NUMBER,
        _regex(
            "(予約番号|予約コード|mnp番号)(って|は|が|を|も)?(いる|要る|必要|不要|いら|要り|取らな|とらな)"
        ),
    ),
    (
        Attribute.SHOP_SIGNUP,
        _regex(
            "オンライン専用|ネット専用|web専用|ウェブ専用|オンラインのみ|ネットのみ|ネットだけ|オンラインだけ"
            "|(店|ショップ|店頭|店舗)(で|から|でも)?(は|も)?(申し?込|契約|加入|入れ|入る|作れ)"
        ),
    ),
    (
        Attribute.PHONE,
        _regex("電話番号|何番|なんばん|(どこ|何処)に電話|電話(で|は|の)?(どこ|何)|番号(を)?教"),
    ),
    (
        Attribute.HOURS,
        _regex("何時|なんじ|受付時間|受け付け時間|営業時間|時間帯|夜中|深夜|24時間|夜(でも|は|に)|朝"),
    ),
    (
        Attribute.FEE,
        _alternatives("事務手数料", "手数料", "いくら", "費用", "お金", "何円", "料金かか", "かかる"),
    ),
    (
        Attribute.RESERVATION,
        _regex(
            "(予約番号|予約コード|mnp番号|mnp予約)(.{0,12})(取|とる|とれ|とり|とっ|発行|出し|出せ|出る|もら|どこ|"
            "どう|方法|手順|窓口|すぐ|即|申請)|(予約番号|mnp予約番号)$|(予約番号|mnp予約番号)は[?？]?$"
        ),
    ),
)
LIST_PATTERN = _regex(
    "(どこ|どれ|どの|何処)(が|の|に)?(会社|ブランド|キャリア|事業者|格安)|(会社|ブランド|キャリア|事業者|格安sim)"
    "(って|は|が|で)?(どこ|どれ|一覧|何|なに)|全部(教|おしえ|知り)|一覧"
)
QUESTION = re.compile(
    r"[?？]|(?:か|の|かな|って|る|い)[。!！]*$|教えて|おしえて|いくら|どう(?:すれば|やって|なる)|何|なに|どこ|いつ"
)
# Words that carry no topic of their own: the shape of a follow-up, the wish to switch, politeness.
_FILLER = """
    乗り換え 乗り換 乗換 のりかえ 乗 換 変え 変 移り 移 契約 申し込み 申込 申し込 込 教 知 聞 場合 同じ 同様
    一緒 今 何 方法 方 取 発行 手続き 手続 受け付け 受付 使 出来 可能 本当 必要 不要 要 全部 回線 時 番 私
    自分 mnp 予約番号 予約 番号 出 利用 考 検討 予定 円 料金 一覧 会社 ブランド キャリア 事業者 対応 専用
    時間 夜中 深夜 電話 店頭 店舗 店 窓口 来店 夜 朝 営業 違約金 解約金 解除料 解約 手数料 事務 費用 お金
    転出 残 日数 日以上 以上 日 即 ほんと 他社 出る 出
"""
FILLER_WORDS = tuple(_FILLER.split())
FILLER_LATIN = ("online", "web", "sim", "shop", "mnp", "onestop", "one stop")
_FILLER_KANA = re.compile(r"[\u3041-\u309f\u30fc\u301c〜~ー・、。,.!?！？「」『』()（）\s\d/→>-]")
_KATAKANA_FILLER = re.compile(
    r"オンライン|ネット|ウェブ|サイト|アプリ|ショップ|ワンストップ|コールセンター|ナビ|ホント|マジ|ユーザー|スマホ"
)
TOPIC_MIN_CHARS = 2


@dataclass(frozen=True, slots=True)
class Reading:
    brands: tuple[CarrierDocument, ...]  # in reading order
    roles: dict[str, str]  # from_brand / to_brand ids the message states
    attribute: Attribute | None
    channel: str | None  # shop / online / phone
    is_list: bool
    is_question: bool
    wants_switch: bool
    rest: str  # content words left once brands, attribute, channel and filler are taken out

    @property
    def has_own_topic(self) -> bool:
        return len(self.rest) >= TOPIC_MIN_CHARS

    @property
    def is_pair(self) -> bool:
        return "from_brand" in self.roles and "to_brand" in self.roles

    @property
    def is_elliptic(self) -> bool:
        """No topic of its own and nothing it asks about: 「auは？」「お店でも同じ？」「ahamoの場合は？」."""
        return not self.has_own_topic and self.attribute is None and not self.is_list


def read(text: str, carriers: Sequence[CarrierDocument]) -> Reading:
    squashed = squash(text)
    brands = tuple(m.carrier for m in find_brands(text, carriers))
    attribute = next((a for a, pattern in ATTRIBUTE_PATTERNS if pattern.search(squashed)), None)
    channel = channel_asked(squashed)
    return Reading(
        brands=brands,
        roles=brand_roles(text, carriers) if brands else {},
        attribute=attribute,
        channel=channel,
        is_list=bool(LIST_PATTERN.search(squashed)) and not brands,
        is_question=bool(QUESTION.search(nfkc(text).strip())),
        wants_switch=wants_navigator(text, carriers),
        rest=content_rest(text, brands),
    )


def channel_asked(squashed: str) -> str | None:
    """ "shop" or "online" (`vocabulary.ApplyChannel`), or "phone" for the phone desk, else None."""
    channel = vocabulary.first_named(squashed, vocabulary.CHANNEL_WORDS)
    if channel is not None:
        return channel.value
    return "phone" if vocabulary.has_any(squashed, vocabulary.PHONE_WORDS) else None


def content_rest(text: str, brands: Sequence[CarrierDocument]) -> str:
    """What is left of the message once brand names, filler words, kana and punctuation are removed."""
    rest = without_spaces(fold(text))
    names = sorted({name for carrier in brands for name in names_of(carrier)}, key=len, reverse=True)
    for name in names:
        rest = rest.replace(name, " ")
    for word in sorted(FILLER_WORDS, key=len, reverse=True):
        rest = rest.replace(word, " ")
    rest = _KATAKANA_FILLER.sub(" ", rest)
    for word in FILLER_LATIN:
        rest = rest.replace(word, " ")
    return _FILLER_KANA.sub("", rest)
