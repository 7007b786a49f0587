"""Postal addresses: a prefecture or a 市/区/町/村 name, the town, then a block number (丁目/番地/番/号 or
1-2-3), then an optional building and room. A town name alone (「渋谷区のショップ」) is not an address; a
bare number after the town (「…町488」) counts only after a prefecture and a municipality."""

import re
from collections.abc import Iterator

from mnp_chatbot.masking.kinds import Found, PiiKind

_PREFECTURES = (
    "北海道|東京都|京都府|大阪府|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|"
    "神奈川県|新潟県|富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|兵庫県|奈良県|"
    "和歌山県|鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|熊本県|"
    "大分県|宮崎県|鹿児島県|沖縄県"
)
_KANJI = r"\u4e00-\u9fff々〆ヶ"
_KANA_CITIES = (
    "さいたま|つくばみらい|つくば|ひたちなか|いわき|かすみがうら|みどり|"
    "あわら|かほく|えびの|うきは|みやま|つがる|むつ|にかほ"
)
_CITY = rf"(?:(?:{_KANA_CITIES})市|[{_KANJI}]{{1,6}}?[市区町村郡])"
# Town names are kanji and katakana, with が/の/ケ between kanji (霞が関), Kyoto's 上る/下る/入る, and
# hiragana runs of four or more that hold no particle (みなとみらい).
_TOWN_UNIT = (
    rf"(?:[{_KANJI}ァ-ヴー]|(?<=[{_KANJI}])[がのノケ](?=[{_KANJI}])|(?<=[{_KANJI}])[上下入]る"
    r"|(?<![ぁ-ゖ])(?![ぁ-ゖ]*?(?:で|に|は|を|へ|から|まで))[ぁ-ゖ]{4,8}(?![ぁ-ゖ]))"
)
_NUM = r"(?:[0-9]{1,5}|[〇一二三四五六七八九十百千]{1,4})"
_JOIN = r"(?:丁目|番地の?|番の?|号の?|の|条(?:[東西南北]|通)?|地割|[-‐‑‒–—―−ーｰ])"
# The first number is followed by 丁目/番地/号 or by a join and a number: 「2番窓口」 is no address.
_BLOCK = rf"{_NUM}(?=丁目|番地|号|{_JOIN} ?{_NUM})(?:{_JOIN} ?{_NUM})*(?:丁目|番地|番|号)?"
_BARE_END = r"(?=$|[\s、。,.!?)」]|です|に|へ|まで|から|で|の)"
_SUFFIX = (
    "マンション|ハイツ|コーポ|レジデンス|アパート|ビル|タワー|ハウス|"
    "メゾン|ヒルズ|パレス|プラザ|コート|テラス|荘|寮|団地|住宅"
)
_ROOM = r"(?:[A-Za-z]?[0-9]{1,4}(?:号室|号|階|F)?)"
_BUILDING_CHAR = rf"[A-Za-z{_KANJI}ァ-ヴー〇・]"
_BUILDING = (
    rf"(?: ?{_BUILDING_CHAR}{{0,15}}?(?:{_SUFFIX}){_BUILDING_CHAR}{{0,10}}(?: ?{_ROOM})?"
    rf"| ?{_BUILDING_CHAR}{{0,15}}? ?[0-9]{{1,4}}(?:号室|階))"
)
# Where a start is found, a number must follow within 40 characters; the start is atomic, so long kanji
# runs without a number are given up at once instead of being re-split.
_NUMBER_AHEAD = r"(?=[^\n]{0,40}?[0-9〇一二三四五六七八九十])"
# Every start (prefecture, kana city or kanji city) ends in one of these within seven characters.
_START = rf"(?=.{{0,6}}[市区町村郡都道府県])(?>(?:{_PREFECTURES})(?:(?:{_KANA_CITIES})市)?|{_CITY})"
_ADDRESS = re.compile(rf"{_START}{_NUMBER_AHEAD}{_TOWN_UNIT}{{0,16}}? ?{_BLOCK}(?:{_BUILDING})?")
_BARE_ADDRESS = re.compile(
    rf"(?=.{{0,3}}[都道府県])(?>(?:{_PREFECTURES}){_CITY}){_NUMBER_AHEAD}{_TOWN_UNIT}{{1,16}}?{_NUM}{_BARE_END}"
)
_HINT = re.compile(r"[市区町村郡都道府県]")


def find_addresses(text_view: str) -> Iterator[Found]:
    if not _HINT.search(text_view):
        return
    spans = [match.span() for match in _ADDRESS.finditer(text_view)]
    for match in _BARE_ADDRESS.finditer(text_view):
        if not any(start < match.end() and match.start() < end for start, end in spans):
            spans.append(match.span())
    for start, end in sorted(spans):
        yield start, end, PiiKind.ADDRESS
