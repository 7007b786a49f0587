"""Answers computed from the carrier table: a pair of brands, one brand's attribute, a list of brands (pure).

    pair  (「XからYにしたい、予約番号いる？」) → the planner's kind of move (in-group / one-stop / two-step)
          by channel, what the customer needs, the destination's fees by channel
    brand (「ドコモの予約番号は？」「UQの店頭の事務手数料は？」) → that brand's record
    list  (「オンライン専用のブランドは？」「ワンストップ対応の会社は？」) → computed over every record

Every answer says how sure each fact is (unverified facts are spoken as unverified), ends with the date of
its newest dated source (never a date the sources do not have) and with a pointer to the official page.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mnp_chatbot.chat.intent import Attribute
from mnp_chatbot.chat.reply import SourceRef, states_check
from mnp_chatbot.japanese.vocabulary import ApplyChannel
from mnp_chatbot.knowledge.schemas import CarrierDocument, Channel, Fee, PortOutChannel, Source, Verification
from mnp_chatbot.navigator import planner
from mnp_chatbot.navigator.schemas import PlanKind
from mnp_chatbot.navigator.steps import MOVE_LABELS

HEDGE = "料金・受付時間・対応状況は変わることがあります。最新情報は各社の公式サイトでご確認ください。"
CHANNEL_OF = {"shop": Channel.SHOP, "online": Channel.WEB, "phone": Channel.PHONE}
CHANNEL_LABELS = {Channel.WEB: "Web", Channel.PHONE: "電話", Channel.SHOP: "店頭"}
JOIN_FEE = "事務手数料"
BRAND_SWITCH_FEE = "ブランド間"
RESERVATION_VALIDITY = "取得日を含めて15日間有効"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(slots=True)
class Facts:
    """Lines of an answer with what they rest on."""

    lines: list[str] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)
    verified: bool = True
    brands: list[CarrierDocument] = field(default_factory=list)

    def add(
        self, line: str, *, verification: Verification | None = None, dates: Iterable[dt.date] = ()
    ) -> None:
        if line:
            self.lines.append(line)
        if verification is not None and not verification.is_verified:
            self.verified = False
        self.dates.extend(dates)

    def cite(self, sources: Iterable[Source]) -> None:
        self.dates.extend(d for d in (source_date(s) for s in sources) if d is not None)


@dataclass(frozen=True, slots=True)
class Composed:
    text: str
    sources: tuple[SourceRef, ...]
    verified: bool


def source_date(source: Source) -> dt.date | None:
    match = _ISO_DATE.search(source.date or "")
    if match is None:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def jp_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def official_link(pointer: CarrierDocument | None, cited: Iterable[CarrierDocument]) -> str:
    """「（公式: URL）」 for the brand's page, unless it is already one of the answer's sources."""
    if pointer is None or pointer.id in {brand.id for brand in cited}:
        return ""
    return f"（公式: {pointer.mnp_page_url or pointer.official_url}）"


def finish(facts: Facts, *, pointer: CarrierDocument | None = None) -> Composed:
    """The lines, the as-of line (newest dated source) and the hedge with the brand's official page."""
    parts = list(facts.lines)
    said = "\n".join(parts)
    if facts.dates:
        parts.append(f"（出典の日付で最も新しいものは{jp_day(max(facts.dates))}です）")
    if not states_check(said):
        parts.append(HEDGE + official_link(pointer, facts.brands))
    sources = tuple(
        SourceRef(
            faq_id=f"carrier:{brand.id}",
            question=f"{brand.name}の情報（事業者データ）",
            url=str(brand.mnp_page_url or brand.official_url),
            as_of=max(facts.dates).isoformat() if facts.dates else None,
            verified=facts.verified,
        )
        for brand in facts.brands
    )
    return Composed("\n".join(parts), sources, facts.verified)


# ---------------------------------------------------------------- one brand


def port_out_line(channel: PortOutChannel) -> str:
    parts = [f"・{CHANNEL_LABELS[channel.channel]}：{channel.name}"]
    if channel.phone_numbers:
        parts.append("（" + "、".join(channel.phone_numbers) + "）")
    if channel.hours:
        parts.append(f" 受付時間 {channel.hours}")
    if channel.note:
        parts.append(f"。{channel.note}")
    return "".join(parts)


def channels_for(carrier: CarrierDocument, channel: Channel | None) -> list[PortOutChannel]:
    return [c for c in carrier.port_out if channel is None or c.channel is channel]


def reservation_facts(
    carrier: CarrierDocument, attribute: Attribute, channel: Channel | None, facts: Facts
) -> None:
    """How, where and when a 予約番号 is issued, from the brand's port-out desks."""
    if attribute is Attribute.PHONE:
        channel = Channel.PHONE
    chosen = channels_for(carrier, channel)
    if attribute is Attribute.HOURS:
        chosen = [c for c in chosen if c.hours or c.channel is Channel.SHOP] or chosen
    if not carrier.port_out:
        facts.add(
            f"{carrier.name}のMNP予約番号の取得窓口は、この資料では確認できていません。",
            verification=Verification.UNVERIFIED,
        )
        return
    if channel is not None and not chosen:
        facts.add(
            f"{carrier.name}の{CHANNEL_LABELS[channel]}でのMNP予約番号の発行窓口は、この資料では確認できていません。"
            "確認できている窓口は次のとおりです。",
            verification=Verification.UNVERIFIED,
        )
        chosen = list(carrier.port_out)
    elif attribute is Attribute.HOURS:
        facts.add(f"{carrier.name}のMNP予約番号の受付時間は次のとおりです。")
    else:
        facts.add(f"{carrier.name}のMNP予約番号は、次の窓口で取得できます。")
    for desk in chosen:
        facts.add(port_out_line(desk), verification=desk.verification)
        facts.cite(desk.sources)
    if any(not desk.verification.is_verified for desk in chosen):
        facts.add("（第三者サイトなどで確認した情報を含みます）")


def fee_facts(carrier: CarrierDocument, attribute: Attribute, channel: Channel | None, facts: Facts) -> None:
    words = {
        Attribute.FEE: (JOIN_FEE,),
        Attribute.CANCEL_FEE: ("解除", "解約"),
        Attribute.PORT_OUT_FEE: ("転出",),
    }[attribute]
    fees = [f for f in carrier.fees if any(w in f.name for w in words) and BRAND_SWITCH_FEE not in f.name]
    if attribute is Attribute.FEE:
        fees = [f for f in fees if "有料サポート" not in f.name]
    label = {Attribute.FEE: "契約事務手数料", Attribute.CANCEL_FEE: "解約金（契約解除料）"}.get(
        attribute, "MNP転出手数料"
    )
    if not fees:
        facts.add(
            f"{carrier.name}の{label}は、この資料では確認できていません。",
            verification=Verification.UNVERIFIED,
        )
        return
    facts.add(f"{carrier.name}の{label}：")
    matching = [f for f in fees if channel is None or f.channel in (None, channel)]
    if channel is not None and not matching:
        if channel is Channel.SHOP and carrier.accepts_shop_signup is False:
            facts.add(f"{carrier.name}はオンライン専用で、店頭での申し込みはありません。")
        else:
            facts.add(
                f"{carrier.name}の{CHANNEL_LABELS[channel]}での{label}は、この資料では確認できていません。"
            )
        matching = fees
    for fee in matching:
        add_fee(fee, facts)


def add_fee(fee: Fee, facts: Facts) -> None:
    hedge = "" if fee.verification.is_verified else "（第三者情報）"
    facts.add(fee.text + hedge, verification=fee.verification, dates=[fee.as_of])
    facts.cite(fee.sources)


def shop_signup_facts(carrier: CarrierDocument, facts: Facts) -> None:
    if carrier.accepts_shop_signup is False:
        facts.add(
            f"{carrier.name}はオンライン専用で、店頭での申し込みはありません（Web・アプリで申し込みます）。"
        )
    elif carrier.accepts_shop_signup is None:
        facts.add(
            f"{carrier.name}を店頭で申し込めるかどうかは、この資料では確認できていません。",
            verification=Verification.UNVERIFIED,
        )
    else:
        facts.add(f"{carrier.name}は店頭でもWeb（オンライン）でも申し込めます。")
    for fee in carrier.fees:
        if JOIN_FEE in fee.name and BRAND_SWITCH_FEE not in fee.name:
            add_fee(fee, facts)


def one_stop_sentence(carrier: CarrierDocument) -> str:
    one_stop = carrier.one_stop
    if one_stop.participates and one_stop.verification.is_verified:
        since = f"（{jp_day(one_stop.since)}〜）" if one_stop.since else ""
        return f"{carrier.name}はMNPワンストップ方式に対応しています{since}。"
    if one_stop.participates:
        return (
            f"{carrier.name}はMNPワンストップ方式に対応しているとする情報がありますが、"
            "公式の情報では確認できていません（未確認）。"
        )
    return f"{carrier.name}がMNPワンストップ方式に対応しているかは確認できていません。"


def one_stop_facts(carrier: CarrierDocument, facts: Facts) -> None:
    facts.add(one_stop_sentence(carrier), verification=carrier.one_stop.verification)
    if carrier.one_stop.note:
        facts.add(carrier.one_stop.note)
    facts.cite(carrier.one_stop.sources)
    for desk in carrier.port_out:
        if desk.note and "ワンストップ" in desk.note:
            facts.add(port_out_line(desk), verification=desk.verification)
    if not (carrier.one_stop.participates and carrier.one_stop.verification.is_verified):
        facts.add(
            "対応が確認できない場合は、従来どおり今の会社でMNP予約番号を取得してから申し込めば確実です"
            f"（{RESERVATION_VALIDITY}）。"
        )
    else:
        facts.add(
            "乗り換え元と乗り換え先の両方が対応していれば、Web（オンライン）での申し込みに限り予約番号の取得は"
            "不要です。店頭での申し込みでは予約番号が必要です。"
        )


def days_left_facts(carrier: CarrierDocument, facts: Facts) -> None:
    if not carrier.reservation_requirements:
        facts.add(
            f"{carrier.name}で予約番号に必要な残日数は、この資料では確認できていません。",
            verification=Verification.UNVERIFIED,
        )
    for requirement in carrier.reservation_requirements:
        hedge = "" if requirement.verification.is_verified else "（未確認の情報です）"
        facts.add(
            f"{CHANNEL_LABELS[requirement.channel]}：{requirement.text}{hedge}",
            verification=requirement.verification,
        )
        facts.cite(requirement.sources)


def brand_answer(carrier: CarrierDocument, attribute: Attribute, channel: str | None) -> Composed:
    facts = Facts(brands=[carrier])
    wanted = CHANNEL_OF.get(channel) if channel else None
    if attribute in (Attribute.RESERVATION, Attribute.HOURS, Attribute.PHONE):
        reservation_facts(carrier, attribute, wanted, facts)
    elif attribute in (Attribute.FEE, Attribute.CANCEL_FEE, Attribute.PORT_OUT_FEE):
        fee_facts(carrier, attribute, wanted, facts)
    elif attribute is Attribute.SHOP_SIGNUP:
        shop_signup_facts(carrier, facts)
    elif attribute is Attribute.DAYS_LEFT:
        days_left_facts(carrier, facts)
    else:  # ONE_STOP, NEEDS_NUMBER
        one_stop_facts(carrier, facts)
    return finish(facts, pointer=carrier)


# ---------------------------------------------------------------- two brands


def pair_answer(
    source: CarrierDocument,
    target: CarrierDocument,
    *,
    channel: str | None,
    acknowledge: bool,
) -> Composed:
    """The planner's view of a switch from `source` to `target`, for either channel unless one is given."""
    facts = Facts(brands=[source, target])
    if acknowledge:
        facts.add(f"{source.name}から{target.name}への乗り換えですね。")
    move = planner.group_move(source, target)
    if move is not None:
        hedge = "" if move.verification.is_verified else "（第三者情報のため、公式でもご確認ください）"
        facts.add(
            f"{source.name}から{target.name}へは、同じグループ内の「{MOVE_LABELS[move.kind]}」で、"
            "MNPワンストップ方式の対象外の別の手続きです（通常のMNPとは扱いが異なります）。",
        )
        facts.add(move.note + hedge, verification=move.verification)
        facts.cite(move.sources)
        return finish(facts, pointer=target)
    shop_ok = target.accepts_shop_signup
    wanted = ApplyChannel.SHOP if channel == "shop" else ApplyChannel.ONLINE if channel == "online" else None
    if wanted is ApplyChannel.SHOP and shop_ok is False:
        facts.add(f"{target.name}はオンライン専用で、店頭では申し込めません。Web・アプリで申し込みます。")
        wanted = ApplyChannel.ONLINE
    online_kind = planner.move_kind_of(source, target, ApplyChannel.ONLINE)
    unsure = [
        b for b in (source, target) if b.one_stop.participates and not b.one_stop.verification.is_verified
    ]
    if online_kind is PlanKind.ONE_STOP and wanted is not ApplyChannel.SHOP:
        if unsure:
            names = "・".join(b.name for b in unsure)
            facts.add(
                f"{source.name}も{target.name}もMNPワンストップ方式に対応しているとされ、{target.name}のWeb（オンライン）"
                f"で申し込めば予約番号の取得は不要です。ただし{names}の対応は公式の情報では確認できていない（未確認）"
                "ため、公式でご確認のうえ、確認できなければ予約番号を取得してから申し込んでください。",
                verification=Verification.UNVERIFIED,
            )
        else:
            facts.add(
                f"{source.name}も{target.name}もMNPワンストップ方式に対応しているので、{target.name}のWeb（オンライン）"
                f"で申し込めば予約番号の取得は不要です。手続きの途中で{source.name}のマイページにログインして本人確認をします。"
            )
        for brand in (source, target):
            facts.cite(brand.one_stop.sources)
    shop_possible = wanted is ApplyChannel.SHOP or (wanted is None and shop_ok is not False)
    if shop_possible and online_kind is PlanKind.ONE_STOP:
        facts.add(
            f"店頭で申し込む場合はワンストップ方式が使えないため、先に{source.name}でMNP予約番号を取得してください"
            f"（{RESERVATION_VALIDITY}）。"
        )
    if online_kind is not PlanKind.ONE_STOP:
        missing = [b.name for b in (source, target) if not b.one_stop.participates]
        facts.add(
            f"{'・'.join(missing)}のMNPワンストップ方式への対応が確認できていないため、先に{source.name}でMNP予約番号を"
            f"取得してから{target.name}に申し込みます（{RESERVATION_VALIDITY}）。",
        )
    needs_number = online_kind is not PlanKind.ONE_STOP or wanted is ApplyChannel.SHOP
    if needs_number:
        desks = "、".join(f"{CHANNEL_LABELS[d.channel]}（{d.name}）" for d in source.port_out)
        if desks:
            facts.add(f"{source.name}の予約番号の窓口：{desks}")
        for desk in source.port_out:
            facts.add("", verification=desk.verification)
            facts.cite(desk.sources)
    things = "本人確認書類、支払い方法（クレジットカードや口座）" + ("、MNP予約番号" if needs_number else "")
    facts.add(f"用意するもの：{things}。名義は乗り換え前後で同じである必要があります。")
    wanted_channel = Channel.SHOP if wanted is ApplyChannel.SHOP else Channel.WEB if wanted else None
    fees = [f for f in target.fees if JOIN_FEE in f.name and BRAND_SWITCH_FEE not in f.name]
    fees = [f for f in fees if wanted_channel is None or f.channel in (None, wanted_channel)] or fees
    if fees:
        facts.add(f"{target.name}の契約事務手数料：")
        for fee in fees:
            add_fee(fee, facts)
    return finish(facts, pointer=target)


# ---------------------------------------------------------------- one side of a switch


def destination_answer(target: CarrierDocument) -> Composed:
    facts = Facts(brands=[target])
    facts.add(f"{target.name}への乗り換えですね。")
    shop_signup_facts(target, facts)
    facts.add(one_stop_sentence(target), verification=target.one_stop.verification)
    facts.cite(target.one_stop.sources)
    facts.add("今お使いの会社を教えていただければ、予約番号が必要かどうかや手順もご案内します。")
    return finish(facts, pointer=target)


def origin_answer(source: CarrierDocument) -> Composed:
    facts = Facts(brands=[source])
    facts.add(f"{source.name}からの乗り換えですね。")
    facts.add(one_stop_sentence(source), verification=source.one_stop.verification)
    facts.add(
        "乗り換え先もワンストップ方式に対応していてWebで申し込むなら、予約番号の取得は不要です。それ以外は予約番号を取得します。"
    )
    reservation_facts(source, Attribute.RESERVATION, None, facts)
    facts.add("乗り換え先を教えていただければ、必要な手続きと手数料もご案内します。")
    return finish(facts, pointer=source)


# ---------------------------------------------------------------- lists


def list_answer(attribute: Attribute, carriers: Sequence[CarrierDocument]) -> Composed | None:
    facts = Facts()
    if attribute is Attribute.SHOP_SIGNUP:
        online = [c for c in carriers if c.accepts_shop_signup is False]
        unknown = [c for c in carriers if c.accepts_shop_signup is None]
        facts.add(
            "オンライン専用（店頭での申し込みがない）ブランド：" + "、".join(c.name for c in online) + "。"
        )
        if unknown:
            facts.add(
                "次の会社は店頭で申し込めるかどうか確認できていません："
                + "、".join(c.name for c in unknown)
                + "。"
            )
        return finish(facts)
    if attribute is Attribute.ONE_STOP:
        sure = [c for c in carriers if c.one_stop.participates and c.one_stop.verification.is_verified]
        said = [c for c in carriers if c.one_stop.participates and not c.one_stop.verification.is_verified]
        unknown = [c for c in carriers if not c.one_stop.participates]
        facts.add("MNPワンストップ方式に対応している会社：" + "、".join(c.name for c in sure) + "。")
        if said:
            facts.add("対応しているとする情報があるが未確認の会社：" + "、".join(c.name for c in said) + "。")
        if unknown:
            facts.add("対応が確認できていない会社：" + "、".join(c.name for c in unknown) + "。")
        facts.add("ワンストップはWeb（オンライン）の手続きだけで、店頭では予約番号が必要です。")
        for carrier in sure + said:
            facts.cite(carrier.one_stop.sources)
        facts.verified = False  # the list itself changes; the sheet asks to check it officially
        return finish(facts)
    return None
