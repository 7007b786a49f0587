"""The ordered steps of a plan, built from the carrier table; each step links the sources of its facts."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mnp_chatbot.japanese.vocabulary import ApplyChannel, SimType
from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator import facts
from mnp_chatbot.navigator import references as refs
from mnp_chatbot.navigator.schemas import Device, PlanKind, ReservationInfo, Situation, SourceRef, Step

HEDGE = "（最新情報は公式サイトでご確認ください）"
WEEKDAYS = "月火水木金土日"
MOVE_LABELS = {
    knowledge.MoveKind.PLAN_CHANGE: "プラン変更",
    knowledge.MoveKind.NUMBER_TRANSFER: "番号移行",
    knowledge.MoveKind.BRAND_SWITCH: "ブランド間の乗り換え",
}
APPLY_LABELS = {ApplyChannel.ONLINE: "オンライン", ApplyChannel.SHOP: "店頭"}
SIM_LABELS = {SimType.ESIM: "eSIM", SimType.CARD: "SIMカード"}
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
GENERIC_RESERVATION_FEE = (
    "予約番号の発行は原則無料です"
    "（店頭や電話での発行には1,000円（税抜）以下の手数料がかかる場合があります）。"
)
HOLDER_MATCH = "契約者の名義（氏名・性別・生年月日）が乗り換え前後で一致している必要があります。"


@dataclass(frozen=True, slots=True)
class Route:
    """Everything the step builders need to know about one switch."""

    source: knowledge.CarrierDocument
    target: knowledge.CarrierDocument
    situation: Situation
    kind: PlanKind
    move: knowledge.GroupMove | None
    reservation: ReservationInfo

    @property
    def web_or_shop(self) -> knowledge.Channel:
        return (
            knowledge.Channel.SHOP if self.situation.channel is ApplyChannel.SHOP else knowledge.Channel.WEB
        )

    @property
    def is_plan_change(self) -> bool:
        return self.move is not None and self.move.kind is knowledge.MoveKind.PLAN_CHANGE


def jp_date(day: dt.date) -> str:
    return f"{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def jp_long_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def jp_dates(text: str) -> str:
    """ISO dates in table text (「2025-11-19以降」) as Japanese ones (「2025年11月19日以降」)."""
    return ISO_DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", text)


def make_step(
    title: str,
    lines: Iterable[str],
    sources: Iterable[SourceRef],
    *,
    confirm_at: knowledge.CarrierDocument,
    verified: bool = True,
) -> Step:
    """A step; when any of its facts is unverified it is hedged and points to the brand's official site."""
    unique = list({(ref.title, ref.url): ref for ref in sources}.values())
    verified = verified and all(ref.verified for ref in unique)
    detail = jp_dates("\n".join(line for line in lines if line))
    if not verified:
        detail += HEDGE
        unique.append(refs.official_site(confirm_at))
    return Step(title=title, detail=detail, sources=unique, verified=verified)


def build_steps(route: Route) -> list[Step]:
    steps = [precheck(route)]
    if not route.situation.same_holder:
        steps.append(holder_change(route))
    steps.append(move_or_reservation(route))
    steps.append(application(route))
    if not route.is_plan_change:
        steps.append(activation(route))
    steps.append(old_line(route))
    return steps


def precheck(route: Route) -> Step:
    target = route.target.name
    device = {
        Device.KEEP: "今の端末を使う場合は、SIMロックが解除されているか"
        "（2021年10月1日以降に発売された端末は原則SIMロックなし）と、"
        f"{target}の対応バンド・VoLTEに対応しているかを{target}の動作確認端末一覧で確認してください。",
        Device.NEW: f"新しく用意する端末が{target}の対応バンド・VoLTEに対応しているか、"
        "動作確認端末一覧で確認してください。",
        Device.BUNDLE: f"端末は{target}の申し込みと一緒に購入します。"
        "今の端末のデータはバックアップしておきましょう。",
    }[route.situation.device]
    esim = "eSIMを使うので、端末がeSIMに対応しているかも確認してください。"
    lines = [
        device,
        esim if route.situation.sim is SimType.ESIM and route.situation.device is not Device.BUNDLE else "",
        HOLDER_MATCH if route.situation.same_holder else "",
        "端末の分割払いが残っている場合、残債の支払いは乗り換え後も続くのが一般的です。残額を確認しておきましょう。",
    ]
    sources = [refs.SIM_LOCK, refs.MIC_MNP, refs.HOLDER_MATCH, refs.INSTALMENTS]
    return make_step("事前確認（SIMロック・対応バンド・名義・残債）", lines, sources, confirm_at=route.target)


def holder_change(route: Route) -> Step:
    source, target = route.source.name, route.target.name
    lines = [
        f"MNPでは、{source}と{target}の契約者名義が同じである必要があります。",
        f"先に{source}で名義変更をしてから、乗り換えの手続きに進んでください。",
        "家族間であれば、店頭に限り名義変更なしで乗り換えを受け付ける会社もあります（委任状などが必要です）。",
    ]
    sources = [refs.HOLDER_MATCH, refs.HOLDER_CHANGE]
    return make_step(f"名義の変更（{source}で）", lines, sources, confirm_at=route.source, verified=False)


def move_or_reservation(route: Route) -> Step:
    if route.kind is PlanKind.IN_GROUP:
        return group_move(route)
    if route.kind is PlanKind.ONE_STOP:
        return one_stop(route)
    return reservation(route)


def group_move(route: Route) -> Step:
    assert route.move is not None
    label = MOVE_LABELS[route.move.kind]
    lines = [
        f"{route.source.name}から{route.target.name}への変更は「{label}」の扱いで、"
        "MNP予約番号の取得は不要です。",
        route.move.note,
    ]
    sources = refs.from_sources(route.move.sources, route.move.verification)
    verified = route.move.verification.is_verified
    return make_step(f"{label}の確認", lines, sources, confirm_at=route.target, verified=verified)


def one_stop(route: Route) -> Step:
    source, target = route.source, route.target
    lines = [
        f"{source.name}も{target.name}もMNPワンストップ方式に対応しているので、予約番号の取得は不要です。",
        f"{target.name}のWebで申し込む途中で{source.name}のマイページにログインして本人確認をし、"
        "解約に関する重要事項を確認・同意します。",
    ]
    sources = [
        refs.ONE_STOP,
        *refs.from_sources(source.one_stop.sources, source.one_stop.verification),
        *refs.from_sources(target.one_stop.sources, target.one_stop.verification),
    ]
    verified = source.one_stop.verification.is_verified and target.one_stop.verification.is_verified
    return make_step("ワンストップ方式の確認", lines, sources, confirm_at=target, verified=verified)


def reservation(route: Route) -> Step:
    source, info = route.source, route.reservation
    validity = "取得日を含めて15日間有効です"
    if info.expires_on is not None:
        validity += f"（お持ちの番号は{jp_date(info.expires_on)}まで）"
    lines = [
        f"{source.name}でMNP予約番号（10桁）を取得します。{validity}。",
        *facts.port_out_lines(source.port_out),
        # One statement of fees: the brand's own port-out fee, when the table has it, is in the last step.
        "" if leave_fees(route) else GENERIC_RESERVATION_FEE,
    ]
    if info.days_left == 0:
        lines.insert(0, "お持ちの予約番号は有効期限が切れています。もう一度取得してください。")
    sources = [
        refs.RESERVATION_VALIDITY,
        refs.MIC_FAQ,
        *(ref for channel in source.port_out for ref in facts.port_out_sources(channel)),
    ]
    verified = bool(source.port_out) and all(channel.verification.is_verified for channel in source.port_out)
    return make_step(f"予約番号の取得（{source.name}）", lines, sources, confirm_at=source, verified=verified)


def application(route: Route) -> Step:
    target, situation = route.target, route.situation
    site = f"（{target.official_url}）" if target.official_url else ""  # none for a brand without data
    where = (
        f"{target.name}の店舗で申し込みます。"
        if situation.channel is ApplyChannel.SHOP
        else f"{target.name}の公式サイト{site}から申し込みます。"
    )
    fees = [] if route.move else facts.fees_named(target, facts.JOIN_FEE_WORDS, route.web_or_shop)
    requirement = reservation_requirement(route)
    lines = [
        where,
        "" if route.is_plan_change else "用意するもの：" + "、".join(documents(route)),
        "端末も一緒に選んで購入します。" if situation.device is Device.BUNDLE else "",
        "" if route.is_plan_change else f"SIMの種類は「{SIM_LABELS[situation.sim]}」を選びます。",
        requirement.text if requirement else "",
        *facts.fee_lines(fees),
    ]
    sources = [refs.DOCUMENTS, *facts.fee_sources(fees), refs.official_site(target)]
    if requirement:
        sources += refs.from_sources(requirement.sources, requirement.verification)
    label = MOVE_LABELS[route.move.kind] if route.move else "申し込み"
    title = f"{target.name}への{label}（{APPLY_LABELS[situation.channel]}）"
    verified = requirement is None or requirement.verification.is_verified
    return make_step(title, lines, sources, confirm_at=target, verified=verified)


def documents(route: Route) -> list[str]:
    items = ["本人確認書類（運転免許証・マイナンバーカードなど）", "支払い方法（クレジットカード・銀行口座）"]
    if route.kind is PlanKind.TWO_STEP:
        items.append("MNP予約番号")
    return items


def reservation_requirement(route: Route) -> knowledge.ReservationRequirement | None:
    if route.kind is not PlanKind.TWO_STEP:
        return None
    matching = (req for req in route.target.reservation_requirements if req.channel is route.web_or_shop)
    return next(matching, None)


def activation(route: Route) -> Step:
    situation = route.situation
    if situation.channel is ApplyChannel.SHOP:
        lines = ["店頭では、手続きが終わるとその場で開通するのが一般的です（混雑時は時間がかかります）。"]
        title = "開通（店頭）"
    elif situation.sim is SimType.ESIM:
        lines = [
            "申し込み後、案内に従ってeSIMプロファイルをダウンロードし、開通（回線切替）の手続きをします。",
            "開通の受付時間内なら最短で即日切り替わります。受付時間外は翌日の扱いになります。",
        ]
        title = "eSIMの設定と開通"
    else:
        lines = [
            "SIMカードが届いたら、自分で開通（回線切替）の手続きをします。手続きが終わるまでは今の回線が使えます。",
            "開通の受付時間外に手続きすると、翌日の扱いになります。",
        ]
        title = "SIMカードの受け取りと開通"
    return make_step(title, lines, [refs.ACTIVATION, refs.SIM_DELIVERY], confirm_at=route.target)


def old_line(route: Route) -> Step:
    source, target = route.source.name, route.target.name
    if route.is_plan_change:
        lines = [f"電話番号と回線はそのままで、料金プランが{target}に変わります。解約の手続きは不要です。"]
        return make_step("プラン変更の完了", lines, [refs.MIC_MNP], confirm_at=route.target)
    fees = leave_fees(route)
    lines = [
        f"{target}で開通した時点で、{source}の契約は自動的に解約されます。",
        f"{source}に解約を申し込む必要はありません。",
        *facts.fee_lines(fees),
    ]
    sources = [refs.MIC_MNP, *facts.fee_sources(fees)]
    return make_step(f"{source}の自動解約", lines, sources, confirm_at=route.source)


def leave_fees(route: Route) -> list[knowledge.Fee]:
    """The source's port-out and cancellation fees; none for a move inside a group, which is not MNP."""
    if route.move is not None:
        return []
    return facts.fees_named(route.source, facts.LEAVE_FEE_WORDS, route.web_or_shop)
