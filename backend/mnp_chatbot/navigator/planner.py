"""The navigator's pure core: from the customer's situation and the carrier table to a personal plan.

The kind of move is read from the table only:
    same group and a `group_moves` entry from → to      → in_group (plan change / 番号移行 / brand switch)
    both brands in `one_stop` and an online application → one_stop (no 予約番号)
    anything else                                       → two_step (予約番号 first)
"""

import datetime as dt
from collections.abc import Sequence

from mnp_chatbot.japanese.vocabulary import ApplyChannel
from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator import references as refs
from mnp_chatbot.navigator.brands import is_unknown, resolve_brand
from mnp_chatbot.navigator.checks import build_after_switch
from mnp_chatbot.navigator.exceptions import InvalidSituation
from mnp_chatbot.navigator.schemas import Plan, PlanKind, ReservationInfo, Situation, Step
from mnp_chatbot.navigator.steps import APPLY_LABELS, MOVE_LABELS, Route, build_steps, jp_date

__all__ = ["RESERVATION_DAYS", "make_plan", "move_kind_of", "reservation_info", "resolve_brand"]

RESERVATION_DAYS = 15  # valid for 15 days including the day of issue (F1-6)
KIND_LABELS = {
    PlanKind.ONE_STOP: "MNPワンストップ方式（予約番号は不要）",
    PlanKind.TWO_STEP: "予約番号を使うMNP（ツーステップ）",
}


def make_plan(situation: Situation, carriers: Sequence[knowledge.CarrierDocument], *, today: dt.date) -> Plan:
    """The plan for `situation`; `InvalidSituation` (with the field name) when it cannot be planned."""
    source = resolve_brand(situation.from_brand, carriers, field="from")
    target = resolve_brand(situation.to_brand, carriers, field="to")
    validate(situation, source, target, today=today)
    move = group_move(source, target)
    kind = move_kind_of(source, target, situation.channel)
    reservation = reservation_info(situation, target, kind, today=today)
    route = Route(source, target, situation, kind, move, reservation)
    return Plan(
        kind=kind,
        move_kind=move.kind if move else None,
        from_brand=source.id,
        to_brand=target.id,
        summary=summary(route),
        reservation=reservation,
        steps=for_brands(build_steps(route), route),
        after_switch=for_brands(build_after_switch(route), route),
    )


def for_brands(steps: list[Step], route: Route) -> list[Step]:
    """Steps citing only sources that concern the brands at hand (see `references.concerning`)."""
    groups = {route.source.group, route.target.group}
    return [step.model_copy(update={"sources": refs.concerning(step.sources, groups)}) for step in steps]


def validate(
    situation: Situation,
    source: knowledge.CarrierDocument,
    target: knowledge.CarrierDocument,
    *,
    today: dt.date,
) -> None:
    if source.id == target.id:
        raise InvalidSituation("to", "今の会社と乗り換え先が同じです。")
    if situation.channel is ApplyChannel.SHOP and target.accepts_shop_signup is False:
        raise InvalidSituation("channel", f"{target.name}は店頭での申し込みを受け付けていません。")
    issued = situation.reservation_issued_on
    if issued is not None and issued > today:
        raise InvalidSituation("reservationIssuedOn", f"取得日（{issued.isoformat()}）が未来の日付です。")


def group_move(
    source: knowledge.CarrierDocument, target: knowledge.CarrierDocument
) -> knowledge.GroupMove | None:
    if source.group != target.group:
        return None
    return next((move for move in source.group_moves if move.to == target.id), None)


def move_kind_of(
    source: knowledge.CarrierDocument, target: knowledge.CarrierDocument, channel: ApplyChannel
) -> PlanKind:
    if group_move(source, target) is not None:
        return PlanKind.IN_GROUP
    both_one_stop = bool(source.one_stop.participates and target.one_stop.participates)
    return PlanKind.ONE_STOP if both_one_stop and channel is ApplyChannel.ONLINE else PlanKind.TWO_STEP


def reservation_info(
    situation: Situation, target: knowledge.CarrierDocument, kind: PlanKind, *, today: dt.date
) -> ReservationInfo:
    """Expiry is the issue day + 14 days; `days_left` counts today, so 0 means expired."""
    needed = kind is PlanKind.TWO_STEP
    issued = situation.reservation_issued_on
    if issued is None:
        return ReservationInfo(needed=needed)
    expires = issued + dt.timedelta(days=RESERVATION_DAYS - 1)
    days_left = max(0, (expires - today).days + 1)
    warnings = reservation_warnings(situation, target, needed, expires=expires, days_left=days_left)
    return ReservationInfo(
        needed=needed, issued_on=issued, expires_on=expires, days_left=days_left, warnings=warnings
    )


def reservation_warnings(
    situation: Situation, target: knowledge.CarrierDocument, needed: bool, *, expires: dt.date, days_left: int
) -> list[str]:
    if not needed:
        return ["この乗り換えでは予約番号は必要ありません。"]
    if days_left == 0:
        return [f"予約番号の有効期限（{jp_date(expires)}）が過ぎています。転出元でもう一度取得してください。"]
    requirement = min_days_requirement(situation, target)
    minimum = requirement.min_days_left if requirement is not None else None
    if requirement is not None and minimum is not None and days_left < minimum:
        if not requirement.verification.is_verified:
            return [
                f"予約番号の残り日数は{days_left}日（{jp_date(expires)}まで）です。{target.name}の"
                f"{APPLY_LABELS[situation.channel]}申し込みには有効期限が{minimum}日以上必要とする"
                "古い・未確認の情報があります。公式でご確認のうえ、足りなければ取り直してください。"
            ]
        return [
            f"予約番号の残り日数は{days_left}日（{jp_date(expires)}まで）です。{target.name}の"
            f"{APPLY_LABELS[situation.channel]}申し込みには"
            f"有効期限が{minimum}日以上残っている必要があるため、取り直してから申し込んでください。"
        ]
    return []


def min_days_left(situation: Situation, target: knowledge.CarrierDocument) -> int | None:
    requirement = min_days_requirement(situation, target)
    return requirement.min_days_left if requirement is not None else None


def min_days_requirement(
    situation: Situation, target: knowledge.CarrierDocument
) -> knowledge.ReservationRequirement | None:
    channel = knowledge.Channel.SHOP if situation.channel is ApplyChannel.SHOP else knowledge.Channel.WEB
    return next((req for req in target.reservation_requirements if req.channel is channel), None)


def summary(route: Route) -> str:
    head = f"{route.source.name}から{route.target.name}へ："
    if route.move is not None:
        line = head + f"同じグループ内の「{MOVE_LABELS[route.move.kind]}」です（MNPではありません）。"
        if not route.move.verification.is_verified:
            line += "この扱いは公式の情報では確認できていない（未確認）ため、公式でご確認ください。"
        return line
    line = head + KIND_LABELS[route.kind] + "で手続きします。"
    unknown = [b.name for b in (route.source, route.target) if is_unknown(b)]
    if unknown:
        names = "・".join(unknown)
        line += (
            f"{names}についてはこのボットにデータがないため、一般的な手順でご案内します。"
            f"手数料や受付方法は{names}の公式サイトでご確認ください。"
        )
    unsure = [b.name for b in (route.source, route.target) if not b.one_stop.verification.is_verified]
    if route.kind is PlanKind.ONE_STOP and unsure:
        line += (
            f"ただし{'・'.join(unsure)}のワンストップ対応は公式の情報では確認できていない（未確認）ため、"
            "公式でご確認のうえ、確認できなければ予約番号を取得してください。"
        )
    return line
