"""What to check after the switch: APN, carrier mail, points, instalments, family discounts, last bill."""

from mnp_chatbot.japanese.vocabulary import SimType
from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator import references as refs
from mnp_chatbot.navigator.schemas import PlanKind, Step
from mnp_chatbot.navigator.steps import Route, make_step

CARRIER_MAIL_KINDS = (knowledge.CarrierKind.MNO, knowledge.CarrierKind.SUB_BRAND)
MEMBER_IDS = {"docomo": "dアカウント"}  # a group's member ID, where its name is known; else 「会員ID」
PHYSICAL_SIM_WORDS = ("物理SIM", "SIMカード")


def build_after_switch(route: Route) -> list[Step]:
    candidates = [
        apn(route),
        target_checks(route),
        carrier_mail(route),
        points(route),
        instalments(route),
        family(route),
        last_bill(route),
    ]
    return [step for step in candidates if step is not None]


def apn(route: Route) -> Step | None:
    """Generic APN advice for an MVNO target, unless the table already has the brand's own APN note."""
    own_note = any("APN" in item.upper() for item in route.target.after_switch)
    if route.target.kind is not knowledge.CarrierKind.MVNO or own_note:
        return None
    lines = [
        f"データ通信ができない場合は、{route.target.name}の案内に従ってAPN設定（iPhoneは構成プロファイル）を"
        "してください。",
        "まずは再起動や機内モードのオン・オフ、SIMの挿し直しも試してみましょう。",
    ]
    return make_step("通信設定（APN）の確認", lines, [], confirm_at=route.target, verified=False)


def target_checks(route: Route) -> Step | None:
    target = route.target
    if not target.after_switch or route.is_plan_change:
        return None
    # Brand notes in the table carry no per-fact sources: they are hedged and point to the brand's site.
    lines = [line for line in target.after_switch if applies_to_sim(line, route.situation.sim)]
    if not lines:
        return None
    return make_step(f"{target.name}で確認すること", lines, [], confirm_at=target, verified=False)


def applies_to_sim(line: str, sim: SimType) -> bool:
    """A note about a physical SIM does not apply once eSIM was chosen."""
    return sim is not SimType.ESIM or not any(word in line for word in PHYSICAL_SIM_WORDS)


def carrier_mail(route: Route) -> Step | None:
    source = route.source
    if source.carrier_mail:
        lines = [source.carrier_mail]
        sources = [refs.MIC_FAQ]
    elif source.kind in CARRIER_MAIL_KINDS and not route.is_plan_change:
        lines = [
            f"{source.name}のキャリアメールアドレスは、MNPでは引き継げません。",
            "有料の「メール持ち運び」サービスを使う場合は、解約から31日以内（ドコモの例）に申し込みます。",
        ]
        sources = [refs.MIC_FAQ, refs.CARRIER_MAIL]
    else:
        return None
    return make_step("キャリアメール", lines, sources, confirm_at=source, verified=False)


def points(route: Route) -> Step | None:
    if route.kind is PlanKind.IN_GROUP:
        return None
    lines = [
        f"{route.source.name}のポイントは、{member_id(route.source)}を残しておけば失効しない場合があります。",
        "解約前に残高と扱いを確認し、必要なら使い切っておきましょう。",
    ]
    return make_step("ポイント", lines, [refs.POINTS], confirm_at=route.source)


def member_id(carrier: knowledge.CarrierDocument) -> str:
    known = MEMBER_IDS.get(carrier.group)
    return f"会員ID（{known}）" if known else "会員ID"


def instalments(route: Route) -> Step | None:
    if route.is_plan_change:
        return None
    lines = [
        f"{route.source.name}で購入した端末の分割払い（残債）は、乗り換え後も支払いが続きます。",
        "一括で精算できる場合もあります。端末に付いていた割引は終わることがあります。",
    ]
    return make_step("端末の残債", lines, [refs.INSTALMENTS], confirm_at=route.source)


def family(route: Route) -> Step | None:
    if not route.situation.family_discount:
        return None
    source = route.source.name
    lines = [
        f"{source}の家族割やセット割は、乗り換え（解約）とともに終わります。"
        if not route.is_plan_change
        else f"{route.target.name}が家族割の対象かどうか、変更前に確認しましょう。",
        "家族割の人数が減ると、残るご家族の料金が上がる場合があります。",
    ]
    return make_step("家族割・セット割", lines, [refs.MIC_MNP], confirm_at=route.source, verified=False)


def last_bill(route: Route) -> Step | None:
    note = route.source.billing_note
    if not note or route.is_plan_change:
        return None
    title = f"{route.source.name}の最終月の料金"
    return make_step(title, [note], [], confirm_at=route.source, verified=False)
