"""Greetings, thanks and goodbyes get short replies of their own (pure)."""

import re
from enum import StrEnum

MAX_SMALLTALK_CHARS = 24


class Smalltalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"


PATTERNS = (
    (Smalltalk.THANKS, re.compile(r"ありがと|有難う|有り難う|助かりまし|助かった|サンキュ|thank|感謝")),
    (Smalltalk.GOODBYE, re.compile(r"さようなら|さよなら|バイバイ|ばいばい|またね|失礼します|bye")),
    (
        Smalltalk.GREETING,
        re.compile(
            r"^(?:こんにち[はわ]|こんばん[はわ]|おはよう|はじめまして|初めまして|hello|hi|やあ|もしもし|どうも)"
        ),
    ),
)

REPLIES = {
    Smalltalk.GREETING: "こんにちは！MNP（電話番号そのままの乗り換え）についてのご質問にお答えします。"
    "予約番号・手数料・手続きの流れなど、気になることを入力してください。",
    Smalltalk.THANKS: "どういたしまして。ほかにも気になることがあれば、いつでもお気軽にご質問ください。",
    Smalltalk.GOODBYE: "ご利用ありがとうございました。お乗り換えがスムーズに進みますように。",
}

OUT_OF_SCOPE_REPLY = (
    "申し訳ありません。こちらではMNP（電話番号そのままの乗り換え）に関するご質問にお答えしています。"
    "予約番号の取り方、手数料、手続きの流れなどについてお尋ねください。"
)


def classify(normalized: str) -> Smalltalk | None:
    """The kind of small talk in a short normalised message, if it is only small talk."""
    if len(normalized) > MAX_SMALLTALK_CHARS:
        return None
    for kind, pattern in PATTERNS:
        if pattern.search(normalized):
            return kind
    return None
