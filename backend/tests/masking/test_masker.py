import itertools
import random
import re
import time
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import yaml

from mnp_chatbot.masking import masker
from mnp_chatbot.masking.masker import PLACEHOLDERS, PiiKind, mask_pii
from scripts.evaluation import masking as evaluation

CORPUS = Path(__file__).with_name("corpus.yaml")
_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")


@cache
def _document() -> dict[str, object]:
    with CORPUS.open(encoding="utf-8") as handle:
        loaded: dict[str, object] = yaml.safe_load(handle)
    return loaded


@cache
def _cases() -> tuple[evaluation.LabelledCase, ...]:
    document = _document()
    holdout = document["holdout"]
    assert isinstance(holdout, dict)
    return (*evaluation.parse_corpus(document), *evaluation.parse_corpus(holdout))


@cache
def _scores() -> dict[PiiKind, evaluation.KindScore]:
    return evaluation.score(_cases())


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text).translate(_KANJI_DIGITS))


def _fuzz_texts(count: int) -> list[str]:
    fragments = [
        *"0123456789０９", "-", "ー", "－", " ", "　", "(", ")", "+81", "@", "＠", "a", "Z", ".",
        "\u200b", "。", "、", "予約番号", "マイナンバー", "カード", "〒", "郵便番号", "東京都",
        "大阪市", "区", "1丁目", "2番", "3号", "名前は", "山田", "太郎", "です", "と申します",
        "生年月日", "平成", "年", "月", "日", "生まれ", "[電話番号]", "[氏名]", "example.com",
        "注文番号", "円", "%", "一", "〇", "マンション", "101号室",
    ]  # fmt: skip
    rng = random.Random(1)
    return ["".join(rng.choice(fragments) for _ in range(rng.randint(1, 40))) for _ in range(count)]


class TestCorpus:
    def test_every_label_is_a_substring_of_its_text(self) -> None:
        missing = [
            (case.text, value) for case in _cases() for _, value in case.labels if value not in case.text
        ]
        assert missing == []

    def test_holds_at_least_40_positives_per_kind_and_100_negatives(self) -> None:
        counts = {kind: sum(k is kind for case in _cases() for k, _ in case.labels) for kind in PiiKind}
        negatives = sum(not case.labels for case in _cases())
        assert min(counts.values()) >= 40, counts
        assert negatives >= 100

    @pytest.mark.parametrize("kind", list(PiiKind))
    def test_recall_is_at_least_95_percent(self, kind: PiiKind) -> None:
        score = _scores()[kind]
        assert score.recall >= 0.95, score.misses

    @pytest.mark.parametrize("kind", list(PiiKind))
    def test_precision_is_at_least_95_percent(self, kind: PiiKind) -> None:
        score = _scores()[kind]
        assert score.precision >= 0.95, score.false_alarms


class TestMaskPii:
    @pytest.mark.parametrize(
        ("text", "kind", "value"),
        [
            ("携帯は090-1234-5678です", PiiKind.PHONE, "090-1234-5678"),
            ("携帯は09012345678です", PiiKind.PHONE, "09012345678"),
            ("携帯は０９０－１２３４－５６７８です", PiiKind.PHONE, "０９０－１２３４－５６７８"),
            ("携帯は090 1234 5678です", PiiKind.PHONE, "090 1234 5678"),
            ("携帯は090ー1234ー5678です", PiiKind.PHONE, "090ー1234ー5678"),
            ("自宅は(03)1234-5678です", PiiKind.PHONE, "(03)1234-5678"),
            ("+81 90-1234-5678 です", PiiKind.PHONE, "+81 90-1234-5678"),
            ("+819012345678 です", PiiKind.PHONE, "+819012345678"),
            ("0120-123-456 にかけました", PiiKind.PHONE, "0120-123-456"),
            ("050-1234-5678 のIP電話", PiiKind.PHONE, "050-1234-5678"),
            ("MNP番号は 1234567890 です", PiiKind.MNP_RESERVATION, "1234567890"),
            ("番号は 9876543210", PiiKind.MNP_RESERVATION, "9876543210"),
            ("マイナンバー 1234 5678 9018", PiiKind.MY_NUMBER, "1234 5678 9018"),
            ("123456789018 を送ります", PiiKind.MY_NUMBER, "123456789018"),
            ("個人番号は111122223334", PiiKind.MY_NUMBER, "111122223334"),
            ("4111-1111-1111-1111 で払います", PiiKind.CARD, "4111-1111-1111-1111"),
            ("メールは a..b.@docomo.ne.jp", PiiKind.EMAIL, "a..b.@docomo.ne.jp"),
            ("taro＠example.jp です", PiiKind.EMAIL, "taro＠example.jp"),
            ("〒123-4567", PiiKind.POSTAL_CODE, "123-4567"),
            ("〒1234567", PiiKind.POSTAL_CODE, "1234567"),
            ("郵便番号 123-4567", PiiKind.POSTAL_CODE, "123-4567"),
            ("東京都千代田区千代田1-1-1です", PiiKind.ADDRESS, "東京都千代田区千代田1-1-1"),
            (
                "大阪市北区梅田1丁目2番3号 〇〇マンション101号室",
                PiiKind.ADDRESS,
                "大阪市北区梅田1丁目2番3号 〇〇マンション101号室",
            ),
            ("生年月日は1990/01/02", PiiKind.BIRTH_DATE, "1990/01/02"),
            ("誕生日は1990年1月2日", PiiKind.BIRTH_DATE, "1990年1月2日"),
            ("平成2年1月2日生まれ", PiiKind.BIRTH_DATE, "平成2年1月2日"),
            ("生年月日 S60.1.2", PiiKind.BIRTH_DATE, "S60.1.2"),
            ("名前は山田太郎です", PiiKind.NAME, "山田太郎"),
            ("契約者名：山田 太郎", PiiKind.NAME, "山田 太郎"),
            ("山田太郎と申します", PiiKind.NAME, "山田太郎"),
        ],
    )
    def test_masks_each_written_form_as_its_kind(self, text: str, kind: PiiKind, value: str) -> None:
        masked = mask_pii(text)
        assert [(span.kind, text[span.start : span.end]) for span in masked.spans] == [(kind, value)]
        assert masked.text == text.replace(value, PLACEHOLDERS[kind])

    @pytest.mark.parametrize(
        "text",
        [
            "手数料は3,850円です",
            "2023年5月24日から始まりました",
            "15日間有効で、31日までです",
            "予約番号は10桁です",
            "5回線で990円、2026年から",
            "エラーコードM010とF140",
            "iPhone 15を使っています",
            "受付は9:00〜20:00です",
            "ポイント10%還元",
            "注文番号 1234567890123 の件",
        ],
    )
    def test_leaves_numbers_that_are_not_personal_data(self, text: str) -> None:
        assert mask_pii(text) == masker.Masked(text=text, spans=())

    def test_kinds_selects_which_findings_are_replaced_without_changing_them(self) -> None:
        text = "090-0123-4567、予約番号 1234567890、名前は山田太郎です"
        everything = mask_pii(text).spans
        only_phone = mask_pii(text, kinds=frozenset({PiiKind.PHONE}))
        assert only_phone.spans == tuple(span for span in everything if span.kind is PiiKind.PHONE)
        assert only_phone.text == "[電話番号]、予約番号 1234567890、名前は山田太郎です"

    def test_keeps_a_phone_number_inside_an_email_address_as_part_of_the_address(self) -> None:
        masked = mask_pii("09012345678@docomo.ne.jp です")
        assert masked.kinds == {PiiKind.EMAIL}

    def test_reads_each_number_by_the_cue_nearest_before_it(self) -> None:
        masked = mask_pii("電話は0312345678、予約番号は0312345678です")
        assert [span.kind for span in masked.spans] == [PiiKind.PHONE, PiiKind.MNP_RESERVATION]


def _all_texts() -> list[str]:
    return [case.text for case in _cases()] + _fuzz_texts(1500)


class TestProperties:
    def test_masking_twice_changes_nothing(self) -> None:
        unstable = [t for t in _all_texts() if mask_pii(mask_pii(t).text).text != mask_pii(t).text]
        assert unstable == []

    def test_spans_are_sorted_within_the_text_and_do_not_overlap(self) -> None:
        for text in _all_texts():
            spans = mask_pii(text).spans
            bounds = [(span.start, span.end) for span in spans]
            assert all(0 <= start < end <= len(text) for start, end in bounds), text
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(bounds)), text

    def test_masked_text_is_the_original_with_each_span_replaced_by_its_placeholder(self) -> None:
        for text in _all_texts():
            masked = mask_pii(text)
            rebuilt, cursor = "", 0
            for span in masked.spans:
                assert span.replacement == PLACEHOLDERS[span.kind]
                rebuilt += text[cursor : span.start] + span.replacement
                cursor = span.end
            assert rebuilt + text[cursor:] == masked.text

    def test_masked_text_keeps_no_labelled_run_of_10_or_more_digits(self) -> None:
        leaks = []
        for case in _cases():
            kept = _digits(mask_pii(case.text).text)
            leaks += [
                value for _, value in case.labels if len(_digits(value)) >= 10 and _digits(value) in kept
            ]
        assert leaks == []

    def test_time_stays_linear_on_long_adversarial_input(self) -> None:
        for unit in ("1 ", "区", "東京都みなとみらい", "a.", "名前は山", "0-"):
            text = unit * (20_000 // len(unit))
            started = time.perf_counter()
            mask_pii(text)
            assert time.perf_counter() - started < 5.0, unit
