import pytest

from mnp_chatbot.faq.retrieval import IndexedEntry, Retriever, RetrieverConfig
from mnp_chatbot.faq.text import Tokenizer, shared_tokenizer

SYNONYMS = (
    ("MNP", "番号ポータビリティ", "乗り換え", "のりかえ"),
    ("予約番号", "MNP予約番号", "予約コード"),
    ("解約金", "違約金", "契約解除料"),
    ("事務手数料", "契約事務手数料", "手数料"),
    ("転出", "移転元"),
    ("転入", "移転先", "乗り換え先"),
)
BRANDS = {
    "docomo": ("ドコモ", "docomo", "NTTドコモ"),
    "ahamo": ("ahamo", "アハモ"),
    "au": ("au", "エーユー"),
    "softbank": ("ソフトバンク", "SoftBank", "ソフバン", "SB"),
    "ymobile": ("Y!mobile", "ワイモバイル", "ワイモバ"),
    "rakuten": ("楽天モバイル", "楽天"),
}
ENTRIES = (
    IndexedEntry(
        id="what-is-mnp",
        question="MNPとは何ですか？",
        alternates=("番号ポータビリティってなに？", "電話番号を変えずに会社を変えられる？"),
        keywords=("MNP", "制度"),
        answer="MNPは、携帯会社を変えても今の電話番号をそのまま使える制度です。",
        category="basics",
    ),
    IndexedEntry(
        id="reservation-validity",
        question="MNP予約番号の有効期限は何日ですか？",
        alternates=("予約番号はいつまで使える？", "予約番号の期限は？"),
        keywords=("有効期限", "15日間"),
        answer="MNP予約番号の有効期限は、取得した日を含めて15日間です。延長はできません。",
        category="reservation",
    ),
    IndexedEntry(
        id="reservation-digits",
        question="MNP予約番号は何桁ですか？",
        alternates=("予約番号の桁数は？", "予約番号って何ケタ？"),
        answer="MNP予約番号は10桁の番号です。",
        category="reservation",
    ),
    IndexedEntry(
        id="docomo-reservation",
        question="ドコモの予約番号はどうやって取得しますか？",
        alternates=("ドコモで予約番号を発行したい", "docomo 予約番号 取り方"),
        answer="ドコモの予約番号は、My docomo または 151 で発行できます。",
        brands=("docomo",),
        category="reservation",
    ),
    IndexedEntry(
        id="softbank-reservation",
        question="ソフトバンクの予約番号はどうやって取得しますか？",
        alternates=("ソフトバンクで予約番号を発行したい", "SoftBank 予約番号 取り方"),
        answer="ソフトバンクの予約番号は、My SoftBank または *5533 で発行できます。",
        brands=("softbank",),
        category="reservation",
    ),
    IndexedEntry(
        id="ymobile-reservation",
        question="Y!mobileの予約番号はどうやって取得しますか？",
        alternates=("ワイモバイルで予約番号を発行したい", "Y!mobile 予約番号 取り方"),
        answer="Y!mobileの予約番号は、My Y!mobile または電話で発行できます。",
        brands=("ymobile",),
        category="reservation",
    ),
    IndexedEntry(
        id="au-cancellation-fee",
        question="auの解約金はいくらですか？",
        alternates=("auをやめるとき違約金はかかる？",),
        answer="auは契約解除料を廃止しています。一部の旧プランでは1,100円または990円がかかります。",
        brands=("au",),
        category="fees",
    ),
    IndexedEntry(
        id="activation-fee",
        question="乗り換え先の契約事務手数料はいくらですか？",
        alternates=("新しい会社で払う手数料は？", "事務手数料っていくら？"),
        answer="契約事務手数料は会社と窓口で違い、無料から4,950円程度です。",
        category="fees",
    ),
    IndexedEntry(
        id="docomo-to-ahamo",
        question="ドコモからahamoに変えるとき予約番号は必要ですか？",
        alternates=("ドコモからアハモへの乗り換え方法",),
        answer="ドコモからahamoへはプラン変更の扱いなので、予約番号は不要です。",
        brands=("docomo", "ahamo"),
        category="one_stop",
    ),
    IndexedEntry(
        id="old-contract",
        question="乗り換えるとき今の会社は自分で解約するのですか？",
        alternates=("前の携帯会社の解約は必要？",),
        answer="乗り換え先で開通すると、今の会社の契約は自動で解約されます。ご自身で解約する必要はありません。",
        category="basics",
    ),
    IndexedEntry(
        id="esim-same-day",
        question="eSIMならすぐに使えますか？",
        alternates=("イーシムだと当日開通できる？",),
        answer="eSIMは受付時間内なら最短で即日開通できます。",
        category="timeline",
    ),
    IndexedEntry(
        id="minors",
        question="未成年でもMNPできますか？",
        alternates=("子どもの携帯を乗り換えたい",),
        answer="未成年の方は、親権者の同意書と本人確認書類があれば手続きできます。",
        category="requirements",
    ),
)


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return shared_tokenizer()


@pytest.fixture(scope="module")
def config() -> RetrieverConfig:
    return RetrieverConfig(synonyms=SYNONYMS, brand_aliases=BRANDS)


@pytest.fixture(scope="module")
def retriever(config: RetrieverConfig) -> Retriever:
    return Retriever.build(ENTRIES, config)
