"""When a conversation should go to a human (pure)."""

import re
from dataclasses import dataclass
from enum import StrEnum

REQUEST = re.compile(
    r"オペレー[タダ]ー?|オペレータ|有人|人と話|人間と話|担当者|スタッフと|人に(?:代わ|変わ|つな|繋)|"
    r"窓口につな|電話で話したい|human|operator|agent",
    re.IGNORECASE,
)
COMPLAINT = re.compile(
    r"ふざけ|最悪|ひどすぎ|酷すぎ|怒|クレーム|訴え|責任者|金返せ|詐欺|使えない(?:ボット|bot|チャット)|役に立たない"
)
LOW_CONFIDENCE_LIMIT = 2


class HandoffReason(StrEnum):
    REQUESTED = "requested"
    COMPLAINT = "complaint"
    REPEATED_LOW_CONFIDENCE = "repeated_low_confidence"
    NO_ANSWER = "no_answer"


@dataclass(frozen=True, slots=True)
class TurnFacts:
    text: str
    low_confidence_streak: int  # consecutive earlier turns the bot could not answer confidently
    confident: bool  # whether this turn has a confident answer


def handoff_reason(turn: TurnFacts) -> HandoffReason | None:
    if REQUEST.search(turn.text):
        return HandoffReason.REQUESTED
    if COMPLAINT.search(turn.text):
        return HandoffReason.COMPLAINT
    if not turn.confident and turn.low_confidence_streak + 1 >= LOW_CONFIDENCE_LIMIT:
        return HandoffReason.REPEATED_LOW_CONFIDENCE
    return None
