"""The slot-filling half of the guided flow: which question comes next, how it is asked and answered."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from mnp_chatbot.japanese.brands import find_brands
from mnp_chatbot.japanese.vocabulary import ApplyChannel, SimType
from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator import parsing, planner
from mnp_chatbot.navigator.brands import resolve_brand, unknown_brand_named
from mnp_chatbot.navigator.exceptions import UnknownBrand
from mnp_chatbot.navigator.schemas import Device, PlanKind, Question, Situation, Slots

STOP_LABEL = "やめる"
BRAND_QUESTIONS = (Question.FROM, Question.TO)
MAX_BRAND_REPLIES = 12
BRAND_ORDER = (
    knowledge.CarrierKind.MNO,
    knowledge.CarrierKind.SUB_BRAND,
    knowledge.CarrierKind.ONLINE_BRAND,
    knowledge.CarrierKind.MVNO,
)
PROMPTS = {
    Question.FROM: "今お使いの携帯会社（ブランド）はどちらですか？一覧にない場合は会社名を入力してください。",
    Question.TO: "乗り換え先はどちらですか？一覧にない場合は会社名を入力してください。",
    Question.CHANNEL: "申し込みはオンラインと店頭のどちらでしますか？",
    Question.DEVICE: "端末はどうしますか？",
    Question.SIM: "SIMの種類はどちらにしますか？",
    Question.HOLDER: "新しい契約も、今の契約と同じ名義ですか？",
    Question.FAMILY: "今の会社で家族割を組んでいますか？",
    Question.RESERVATION: "予約番号はもう取得しましたか？取得した日を教えてください（例：11/20、今日）。",
}
FIXED_REPLIES = {
    Question.CHANNEL: ["オンライン", "店頭"],
    Question.DEVICE: ["今の端末を使う", "新しい端末", "セットで購入"],
    Question.SIM: ["eSIM", "SIMカード"],
    Question.HOLDER: ["同じ名義", "名義が違う"],
    Question.FAMILY: ["家族割あり", "家族割なし"],
    Question.RESERVATION: ["今日", "昨日", "まだ取っていない"],
}
SLOT_KEYS = {
    Question.FROM: "from_brand",
    Question.TO: "to_brand",
    Question.CHANNEL: "channel",
    Question.DEVICE: "device",
    Question.SIM: "sim",
    Question.HOLDER: "same_holder",
    Question.FAMILY: "family_discount",
    Question.RESERVATION: "reservation_answered",
}


def known_slots(known: Mapping[str, object], carriers: Sequence[knowledge.CarrierDocument]) -> Slots:
    """Slots from what the chat already remembers; unknown keys and brands that do not resolve are dropped."""
    fields = {key: value for key, value in known.items() if key in Slots.model_fields}
    for key in ("from_brand", "to_brand"):
        value = fields.get(key)
        fields[key] = resolved_id(value, carriers) if isinstance(value, str) else None
    slots = Slots.model_validate(fields)
    if slots.from_brand is not None and slots.from_brand == slots.to_brand:
        return slots.model_copy(update={"to_brand": None})
    return slots


def resolved_id(text: str, carriers: Sequence[knowledge.CarrierDocument]) -> str | None:
    try:
        return resolve_brand(text, carriers).id
    except UnknownBrand:
        return None


def ask(
    question: Question, slots: Slots, carriers: Sequence[knowledge.CarrierDocument]
) -> tuple[str, list[str]]:
    if question in BRAND_QUESTIONS:
        replies = brand_replies(carriers, exclude=slots.from_brand if question is Question.TO else None)
    else:
        replies = list(FIXED_REPLIES[question])
    return PROMPTS[question], [*replies, STOP_LABEL]


def brand_replies(carriers: Sequence[knowledge.CarrierDocument], *, exclude: str | None) -> list[str]:
    """Display names, big brands first, at most twelve (LINE allows thirteen quick replies)."""
    ordered = sorted(carriers, key=lambda carrier: BRAND_ORDER.index(carrier.kind))
    return [carrier.name for carrier in ordered if carrier.id != exclude][:MAX_BRAND_REPLIES]


def next_question(slots: Slots, carriers: Sequence[knowledge.CarrierDocument]) -> Question | None:
    """The first question whose slot is still empty, skipping those that do not apply; None when complete."""
    for question, key in SLOT_KEYS.items():
        value = getattr(slots, key)
        missing = value is None or (question is Question.RESERVATION and not value)
        if missing and applies(question, slots, carriers):
            return question
    return None


def applies(question: Question, slots: Slots, carriers: Sequence[knowledge.CarrierDocument]) -> bool:
    if question is Question.SIM:
        return move_of(slots, carriers) is not knowledge.MoveKind.PLAN_CHANGE
    if question is Question.RESERVATION:
        return kind_of(slots, carriers) is PlanKind.TWO_STEP
    return True


def brands(
    slots: Slots, carriers: Sequence[knowledge.CarrierDocument]
) -> tuple[knowledge.CarrierDocument, knowledge.CarrierDocument]:
    assert slots.from_brand is not None
    assert slots.to_brand is not None
    source = resolve_brand(slots.from_brand, carriers, field="from")
    return source, resolve_brand(slots.to_brand, carriers, field="to")


def move_of(slots: Slots, carriers: Sequence[knowledge.CarrierDocument]) -> knowledge.MoveKind | None:
    move = planner.group_move(*brands(slots, carriers))
    return move.kind if move else None


def kind_of(slots: Slots, carriers: Sequence[knowledge.CarrierDocument]) -> PlanKind:
    channel = slots.channel or ApplyChannel.ONLINE
    return planner.move_kind_of(*brands(slots, carriers), channel)


def autofill(slots: Slots, carriers: Sequence[knowledge.CarrierDocument]) -> tuple[Slots, str]:
    """An online-only target needs no channel question; a shop answer for it is corrected with a note."""
    if slots.to_brand is None or slots.channel is ApplyChannel.ONLINE:
        return slots, ""
    target = resolve_brand(slots.to_brand, carriers, field="to")
    if target.accepts_shop_signup is not False:  # unknown is not "online only"
        return slots, ""
    note = f"{target.name}はオンライン専用のため、オンラインでの手続きとしてご案内します。"
    return slots.model_copy(update={"channel": ApplyChannel.ONLINE}), note


def read_answer(
    question: Question,
    text: str,
    slots: Slots,
    carriers: Sequence[knowledge.CarrierDocument],
    *,
    today: dt.date,
) -> tuple[Slots, str]:
    """Slots updated from the message (brands with a role, else an answer to `question`), and a note."""
    updates: dict[str, Any] = dict(parsing.extract_slots(text, carriers))
    brand_given = {"from_brand", "to_brand"} & updates.keys()
    if SLOT_KEYS[question] not in updates and not (question in BRAND_QUESTIONS and brand_given):
        updates |= direct_answer(question, text, carriers)
    if question is Question.RESERVATION and not updates.get("reservation_answered"):
        updates |= issue_date_answer(text, today)
    issued = updates.get("reservation_issued_on")
    if issued is not None and issued > today:
        return slots, "取得日が未来の日付になっています。"
    merged = Slots.model_validate({**slots.model_dump(), **updates})
    if merged.from_brand is not None and merged.from_brand == merged.to_brand:
        cleared = "to_brand" if "to_brand" in updates else "from_brand"
        return merged.model_copy(update={cleared: None}), "今の会社と乗り換え先が同じになっています。"
    return merged, ""


def direct_answer(
    question: Question, text: str, carriers: Sequence[knowledge.CarrierDocument]
) -> dict[str, Any]:
    readers = {
        Question.CHANNEL: parsing.parse_channel,
        Question.DEVICE: parsing.parse_device,
        Question.SIM: parsing.parse_sim,
        Question.HOLDER: parsing.parse_yes_no,
        Question.FAMILY: parsing.parse_yes_no,
    }
    if question in BRAND_QUESTIONS:
        mentions = find_brands(text, carriers)
        value: object = mentions[0].carrier.id if len(mentions) == 1 else None
        if not mentions:
            value = unknown_brand_named(text)
    elif question in readers:
        value = readers[question](text)
    else:
        return {}
    return {} if value is None else {SLOT_KEYS[question]: value}


def issue_date_answer(text: str, today: dt.date) -> dict[str, Any]:
    answer = parsing.parse_issue_date(text, today)
    if answer is None:
        return {}
    issued = None if answer == parsing.NOT_YET else answer
    return {"reservation_answered": True, "reservation_issued_on": issued}


def situation_of(slots: Slots) -> Situation:
    assert slots.from_brand is not None
    assert slots.to_brand is not None
    return Situation(
        from_brand=slots.from_brand,
        to_brand=slots.to_brand,
        channel=slots.channel or ApplyChannel.ONLINE,
        sim=slots.sim or SimType.CARD,
        device=slots.device or Device.KEEP,
        same_holder=True if slots.same_holder is None else slots.same_holder,
        family_discount=bool(slots.family_discount),
        reservation_issued_on=slots.reservation_issued_on,
    )
