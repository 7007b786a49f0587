"""Sources of the general MNP facts the plan states, after the fact sheet (§11), and conversions."""

from collections.abc import Collection, Iterable

from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator.brands import is_unknown
from mnp_chatbot.navigator.schemas import SourceRef

MIC_MNP = SourceRef(  # S1: MNP = cancellation + new contract, bands, discounts end, auto cancellation
    title="総務省「携帯電話・PHSの番号ポータビリティ」",
    url="https://www.soumu.go.jp/main_sosiki/joho_tsusin/top/tel_number/mnp.html",
    verified=True,
)
MIC_FAQ = SourceRef(  # S2: fees, mail addresses are not ported, duration
    title="総務省「よくある質問（携帯電話・PHSの番号ポータビリティ）」",
    url="https://www.soumu.go.jp/main_sosiki/joho_tsusin/top/tel_number/mnp_menu2.html",
    verified=True,
)
RESERVATION_VALIDITY = SourceRef(  # S7 / F1-6: 15 days including the issue day
    title="ahamo公式コラム「MNP予約番号の有効期限」",
    url="https://ahamo.com/column/column68",
    verified=True,
)
ONE_STOP = SourceRef(  # N1 / F2-1, F2-2
    title="ITmedia Mobile「予約番号なしでも乗り換えOK!…MNPワンストップ方式」",
    url="https://www.itmedia.co.jp/mobile/articles/2305/19/news155.html",
    as_of="2023-05-19",
    verified=True,
)
SIM_LOCK = SourceRef(  # N9 / F5-4
    title="ITmedia Mobile（SIMロック原則禁止のガイドライン確定）",
    url="https://www.itmedia.co.jp/mobile/spv/2108/12/news124.html",
    as_of="2021-08-12",
    verified=True,
)
DOCUMENTS = SourceRef(  # S10 / F5-1 (official, indirect)
    title="楽天モバイル公式サイト（キャンペーンページの記載）",
    url="https://network.mobile.rakuten.co.jp/campaign/",
    as_of="2024-05",
    verified=True,
)
HOLDER_MATCH = SourceRef(  # S11 / F5-2 (official, indirect; no public URL known)
    title="イオンモバイル MNPエラーコード案内（M010）",
    verified=True,
)
HOLDER_CHANGE = SourceRef(  # N15 / F5-3
    title="マイナビニュース（楽天モバイルショップのMNP手続き改訂）",
    url="https://news.mynavi.jp/article/20240702-2977669",
    as_of="2024-07-02",
    verified=True,
)
ACTIVATION = SourceRef(  # S12 / F5-6, F7-2, F8-5
    title="センターモバイル MNPガイド",
    url="https://maimo.app/inquiry/list/487",
    as_of="2023-12",
    verified=False,
)
SIM_DELIVERY = SourceRef(  # T19 / F7-1
    title="teach-me「楽天モバイルへのMNP転入」",
    url="https://teach-me.biz/iphone/rakuten-mobile/mnp.html",
    verified=False,
)
INSTALMENTS = SourceRef(  # T27 / F3-7
    title="selectra「ドコモ解約ガイド」（端末の残債）",
    url="https://selectra.jp/telecom/mobile/docomo-cancellation-guide",
    verified=False,
)
CARRIER_MAIL = SourceRef(  # T13 / F6-1
    title="pasolive「キャリアメール持ち運び」",
    url="https://pasolive.jp/p-763/",
    verified=False,
)
POINTS = SourceRef(  # T26 / F6-2
    title="digitalnavi「ドコモ解約とdポイント」",
    url="https://digitalnavi.net/smartphonesim/rakutenmobile/7128",
    verified=False,
)


def from_sources(
    sources: Iterable[knowledge.Source], verification: knowledge.Verification
) -> list[SourceRef]:
    return [
        SourceRef(
            title=source.title,
            url=str(source.url) if source.url else None,
            as_of=source.date,
            verified=verification.is_verified,
        )
        for source in sources
    ]


def official_site(carrier: knowledge.CarrierDocument) -> SourceRef:
    """Where to confirm anything about a brand: its own site, which is authoritative by definition."""
    if is_unknown(carrier):  # a brand without data (brands.unknown_carrier): its site, by name only
        return SourceRef(title=f"{carrier.name} 公式サイト", verified=False)
    url = carrier.mnp_page_url or carrier.official_url
    return SourceRef(
        title=f"{carrier.name} 公式サイト", url=str(url), as_of=carrier.as_of.isoformat(), verified=True
    )


# General facts cited from one brand's page: shown to customers only when a brand of that group is at hand
# (issue 18: 「イオンモバイル…」 under a SoftBank → Y!mobile plan reads as a mistake). The step keeps its
# verification, which was worked out from every source.
BRAND_SPECIFIC = {
    RESERVATION_VALIDITY.title: "docomo",
    DOCUMENTS.title: "rakuten",
    HOLDER_MATCH.title: "aeon_mobile",
    HOLDER_CHANGE.title: "rakuten",
    SIM_DELIVERY.title: "rakuten",
    INSTALMENTS.title: "docomo",
    POINTS.title: "docomo",
}


def concerning(sources: Iterable[SourceRef], groups: Collection[str]) -> list[SourceRef]:
    """`sources` without the general ones that come from a brand outside `groups`."""
    return [ref for ref in sources if BRAND_SPECIFIC.get(ref.title) in (None, *groups)]
